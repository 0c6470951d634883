"""Model files: an ``.npz`` archive of plain arrays plus one JSON header, never a pickle.

Layout (format ``chainrule.model``, version 1):

- ``header``: UTF-8 JSON as a uint8 array: the format tag and version, the chainrule
  version that wrote it, the architecture (``model.config()``, rebuilt with
  ``nn.from_config``), the structure of the parameter pytree, the task and loss, class
  labels, feature and label names, and free-form ``info`` (how it was trained);
- ``param_0000``, ``param_0001``, ...: the parameter leaves in ``tree_flatten`` order;
- ``x_mean``, ``x_scale`` (and ``y_mean``, ``y_scale`` for regression): the standardisation
  statistics of the training split.

Loading uses ``np.load(..., allow_pickle=False)``; every kind of bad file (missing,
corrupt, truncated, another program's archive, object arrays, a newer format version,
an architecture or parameter shape that does not fit) raises :class:`ModelFileError`
with a one-line message that starts with the file name.
"""
from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
import zlib
from typing import Any, Dict, List

import numpy as np

from ..tree import tree_flatten

FORMAT = "chainrule.model"
FORMAT_VERSION = 1


class ModelFileError(ValueError):
    """A model file that cannot be read; the message is one line naming the file."""


# --- the parameter pytree as JSON: containers kept, leaves replaced by their index ---------

def _structure(tree: Any, counter: List[int]) -> Any:
    if isinstance(tree, dict):
        return {"dict": {str(k): _structure(tree[k], counter) for k in sorted(tree)}}
    if isinstance(tree, (list, tuple)):
        return {type(tree).__name__: [_structure(c, counter) for c in tree]}
    if tree is None:
        return None
    counter[0] += 1
    return counter[0] - 1


def _rebuild(spec: Any, leaves: List[np.ndarray]) -> Any:
    if spec is None:
        return None
    if isinstance(spec, int) and not isinstance(spec, bool):
        return leaves[spec]
    if isinstance(spec, dict) and len(spec) == 1:
        (kind, body), = spec.items()
        if kind == "dict" and isinstance(body, dict):
            return {k: _rebuild(v, leaves) for k, v in body.items()}
        if kind in ("list", "tuple") and isinstance(body, list):
            items = [_rebuild(v, leaves) for v in body]
            return items if kind == "list" else tuple(items)
    raise ValueError(f"unreadable parameter structure {json.dumps(spec)[:60]}")


def _count_leaves(spec: Any) -> int:
    """How many parameter arrays a stored structure refers to (each index 0..n-1 once)."""
    found: List[int] = []

    def walk(node):
        if node is None:
            return
        if isinstance(node, int) and not isinstance(node, bool):
            found.append(node)
        elif isinstance(node, dict) and len(node) == 1:
            (kind, body), = node.items()
            if kind in ("list", "tuple") and isinstance(body, list):
                for c in body:
                    walk(c)
            elif kind == "dict" and isinstance(body, dict):
                for c in body.values():
                    walk(c)
            else:
                raise ValueError(f"unreadable parameter structure {json.dumps(node)[:60]}")
        else:
            raise ValueError(f"unreadable parameter structure {json.dumps(node)[:60]}")

    walk(spec)
    if sorted(found) != list(range(len(found))):
        raise ValueError("the parameter structure does not number its arrays 0..n-1")
    return len(found)


def _jsonable(value: Any) -> Any:
    """Class labels and info values as plain JSON types (NumPy scalars become Python ones)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def write(path: str, header: Dict[str, Any], params: Any, arrays: Dict[str, np.ndarray]) -> None:
    """Write ``header`` (JSON-able), the leaves of ``params`` and the named ``arrays``.

    The file appears complete or not at all (written to a temporary file, then renamed).
    """
    import chainrule
    leaves, _ = tree_flatten(params)
    counter = [0]
    head = dict(header, format=FORMAT, format_version=FORMAT_VERSION,
                chainrule_version=chainrule.__version__,
                params=_structure(params, counter))
    head = _jsonable(head)
    entries = {"header": np.frombuffer(json.dumps(head, allow_nan=False).encode("utf-8"),
                                       dtype=np.uint8)}
    for i, leaf in enumerate(leaves):
        entries[f"param_{i:04d}"] = np.asarray(leaf)
    for name, a in arrays.items():
        entries[name] = np.asarray(a)
    for name, a in entries.items():
        if a.dtype.hasobject:
            raise TypeError(f"save_model: {name} is an object array; model files hold plain "
                            f"numeric arrays only")
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".chainrule-", suffix=".npz", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:           # a file object: numpy adds no ".npz" suffix
            np.savez_compressed(f, **entries)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read(path: str):
    """``(header, params, arrays)`` of a model file, checked for format and version; every
    failure is a :class:`ModelFileError` with one line."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ModelFileError(f"{path}: no such file")
    if os.path.isdir(path):
        raise ModelFileError(f"{path}: is a directory, not a model file")
    with open(path, "rb") as f:
        raw = f.read()
    if not raw.startswith(b"PK"):
        kind = ("a single NumPy array (.npy)" if raw.startswith(b"\x93NUMPY")
                else "empty" if not raw else "not a zip archive")
        raise ModelFileError(f"{path}: not a chainrule model file ({kind}; expected the .npz "
                             f"written by chainrule train --save)")
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            names = list(npz.files)
            if "header" not in names:
                shown = ", ".join(names[:6]) + (", ..." if len(names) > 6 else "")
                raise ModelFileError(f"{path}: not a chainrule model file (an .npz archive "
                                     f"without a header; it holds: {shown or 'nothing'})")
            contents = {name: npz[name] for name in names}
    except ModelFileError:
        raise
    except ValueError as e:
        if "pickle" in str(e).lower() or "object arrays" in str(e).lower():
            raise ModelFileError(f"{path}: holds a pickled object array; model files hold "
                                 f"plain arrays only, so it is refused (not unpickled)") from None
        raise ModelFileError(f"{path}: corrupt or truncated model file ({e})") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError) as e:
        raise ModelFileError(f"{path}: corrupt or truncated model file "
                             f"({type(e).__name__}: {e})") from None
    header_bytes = contents.pop("header")
    try:
        if header_bytes.dtype != np.uint8 or header_bytes.ndim != 1:
            raise ValueError("not a byte string")
        header = json.loads(header_bytes.tobytes().decode("utf-8"))
        if not isinstance(header, dict):
            raise ValueError("not a JSON object")
    except (ValueError, UnicodeDecodeError) as e:
        raise ModelFileError(f"{path}: corrupt model file (its header is not JSON: {e})") from None
    if header.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a chainrule model file (format tag "
                             f"{header.get('format')!r}, expected {FORMAT!r})")
    version = header.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ModelFileError(f"{path}: corrupt model file (format version {version!r})")
    if version > FORMAT_VERSION:
        raise ModelFileError(f"{path}: model format version {version} (written by chainrule "
                             f"{header.get('chainrule_version', '?')}); this chainrule reads "
                             f"version {FORMAT_VERSION}: upgrade chainrule to load it")
    spec = header.get("params")
    try:
        n_leaves = _count_leaves(spec)
    except ValueError as e:
        raise ModelFileError(f"{path}: corrupt model file ({e})") from None
    stored = sum(1 for k in contents if k.startswith("param_"))
    leaves = []
    for i in range(n_leaves):
        leaf = contents.pop(f"param_{i:04d}", None)
        if leaf is None:
            raise ModelFileError(f"{path}: corrupt model file (parameter {i} is missing)")
        if leaf.dtype.kind != "f":
            raise ModelFileError(f"{path}: corrupt model file (parameter {i} has dtype "
                                 f"{leaf.dtype}, expected floats)")
        leaves.append(leaf)
    if stored != n_leaves:
        raise ModelFileError(f"{path}: corrupt model file (the header names {n_leaves} "
                             f"parameter arrays, the file holds {stored})")
    try:
        params = _rebuild(spec, leaves)
    except (ValueError, IndexError, TypeError) as e:
        raise ModelFileError(f"{path}: corrupt model file ({e})") from None
    return header, params, contents
