"""Reading a table of numbers from a CSV file, with one clear line for each kind of bad input.

The first row names the columns. Feature columns must be numeric; the label column may hold
numbers or words (class names). Every problem is reported as a :class:`DataError` whose
message names the file, the line and the column, e.g.
``data.csv, line 7, column 'petal_width' (4): missing value``.
"""
from __future__ import annotations

import csv
import difflib
import os
from typing import List, Optional, Sequence

import numpy as np

MISSING = frozenset({"", "na", "nan", "n/a", "null", "none", "?", "-"})
"""Cell texts (lower-cased, stripped) taken as a missing value."""


class DataError(ValueError):
    """Bad input data (a file, a column, a value); the message is one line."""


class Table:
    """Columns read from a CSV file: ``X`` (float64, one column per feature), the label
    column ``labels`` (an array of numbers or of strings, or None), and their names."""

    def __init__(self, X: np.ndarray, labels: Optional[np.ndarray], feature_names: List[str],
                 label_name: Optional[str], path: str) -> None:
        self.X, self.labels = X, labels
        self.feature_names, self.label_name, self.path = feature_names, label_name, path

    def __repr__(self) -> str:
        lab = f", label {self.label_name!r}" if self.label_name is not None else ""
        return f"Table({self.path!r}: {self.X.shape[0]} rows, {self.X.shape[1]} features{lab})"


def _read_rows(path: str, delimiter: Optional[str]):
    """The header and the non-blank rows with their line numbers in the file."""
    if not os.path.exists(path):
        raise DataError(f"{path}: no such file")
    if os.path.isdir(path):
        raise DataError(f"{path}: is a directory, not a CSV file")
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            text = f.read()
    except UnicodeDecodeError as e:
        raise DataError(f"{path}: not a UTF-8 text file (byte {e.start} cannot be "
                        f"decoded)") from None
    except OSError as e:
        raise DataError(f"{path}: cannot be read ({e.strerror})") from None
    if "\x00" in text:
        raise DataError(f"{path}: not a text file (it contains NUL bytes)")
    first = text.split("\n", 1)[0]
    if delimiter is None:                       # the separator the header uses most
        delimiter = max(",;\t", key=first.count) if any(c in first for c in ",;\t") else ","
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter)
    header, rows, lines = None, [], []
    try:
        for row in reader:
            if not row or all(not c.strip() for c in row):
                continue                        # blank lines (e.g. at the end) carry nothing
            if header is None:
                header = row
            else:
                rows.append(row)
                lines.append(reader.line_num)
    except csv.Error as e:
        raise DataError(f"{path}, line {reader.line_num}: not valid CSV ({e})") from None
    if header is None:
        raise DataError(f"{path}: the file is empty (expected a header row of column names)")
    return header, rows, lines


def _check_header(path: str, header: List[str]) -> List[str]:
    names = [h.strip() for h in header]
    for j, name in enumerate(names):
        if not name:
            raise DataError(f"{path}, line 1, column {j + 1}: empty column name "
                            f"(the first row must name every column)")
    if all(_is_number(n) for n in names):
        raise DataError(f"{path}, line 1: expected a header row of column names, found numbers "
                        f"({', '.join(names[:3])}{', ...' if len(names) > 3 else ''})")
    seen = {}
    for j, name in enumerate(names):
        if name in seen:
            raise DataError(f"{path}, line 1: column name {name!r} appears twice "
                            f"(columns {seen[name] + 1} and {j + 1})")
        seen[name] = j
    return names


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _where(path, line, name, j):
    return f"{path}, line {line}, column {name!r} ({j + 1})"


def _numeric_column(path, cells, lines, name, j, role):
    """One column as float64, or a DataError naming the first bad cell."""
    try:
        col = np.array(cells, dtype=np.float64)
        bad = ~np.isfinite(col)
    except ValueError:
        col, bad = None, None
    if col is not None and not bad.any():
        return col
    for i, cell in enumerate(cells):            # find the first bad cell for the message
        text = cell.strip()
        if text.lower() in MISSING:
            raise DataError(f"{_where(path, lines[i], name, j)}: missing value"
                            + (f" ({cell!r})" if text else ""))
        try:
            value = float(text)
        except ValueError:
            raise DataError(f"{_where(path, lines[i], name, j)}: {text!r} is not a number "
                            f"({role} must be numeric)") from None
        if not np.isfinite(value):
            raise DataError(f"{_where(path, lines[i], name, j)}: {text!r} is not a finite number")
    raise AssertionError("unreachable: a column that failed to parse has a bad cell")


def _label_column(path, cells, lines, name, j):
    """The label column: numbers if every cell is a number, otherwise stripped strings."""
    texts = [c.strip() for c in cells]
    for i, t in enumerate(texts):
        if t.lower() in MISSING:
            raise DataError(f"{_where(path, lines[i], name, j)}: missing label"
                            + (f" ({cells[i]!r})" if t else ""))
    try:
        values = np.array(texts, dtype=np.float64)
    except ValueError:
        return np.array(texts)                  # class names
    if not np.isfinite(values).all():
        i = int(np.flatnonzero(~np.isfinite(values))[0])
        raise DataError(f"{_where(path, lines[i], name, j)}: {texts[i]!r} is not a finite number")
    if np.all(values == np.round(values)) and np.abs(values).max(initial=0) < 2 ** 53:
        return values.astype(np.int64)
    return values


def _unknown_column(path: str, name: str, names: Sequence[str], what: str) -> DataError:
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    return DataError(f"{path}: no {what} {name!r} (the columns are: {shown}){hint}")


def load_csv(path: str, label: Optional[str] = None, *, features: Optional[Sequence[str]] = None,
             require_label: bool = True, delimiter: Optional[str] = None) -> Table:
    """Read a CSV file with a header row into a :class:`Table`.

    ``label`` names the label column (default: the last column). With ``features`` (a list
    of column names, e.g. those a model was trained on) exactly those columns are taken, in
    that order; otherwise every column except the label. With ``require_label=False`` a
    missing label column is allowed (``labels`` is then None), as for new data to predict.
    The separator is the one of ``,`` ``;`` or tab that the header uses most, unless given.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "flowers.csv")
    >>> _ = open(path, "w").write("length,width,kind\\n5.1,3.5,setosa\\n6.2,2.9,virginica\\n")
    >>> t = load_csv(path, label="kind")
    >>> t.X, t.labels.tolist(), t.feature_names
    (array([[5.1, 3.5],
           [6.2, 2.9]]), ['setosa', 'virginica'], ['length', 'width'])
    >>> _ = open(path, "a").write("4.9,,setosa\\n")
    >>> load_csv(path, label="kind")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    chainrule.data.csvfile.DataError: ...flowers.csv, line 4, column 'width' (2): missing value
    """
    path = os.fspath(path)
    header, rows, lines = _read_rows(path, delimiter)
    names = _check_header(path, header)
    for row, line in zip(rows, lines):
        if len(row) != len(names):
            raise DataError(f"{path}, line {line}: {len(row)} fields, but the header has "
                            f"{len(names)} columns")
    if not rows:
        raise DataError(f"{path}: no data rows after the header")
    index = {n: j for j, n in enumerate(names)}
    if label is None:
        label_name = names[-1] if require_label or features is None else None
    else:
        label_name = label
        if label not in index:
            if require_label:
                raise _unknown_column(path, label, names, "label column")
            label_name = None
    if features is None:
        feature_names = [n for n in names if n != label_name]
    else:
        feature_names = list(features)
        for n in feature_names:
            if n not in index:
                raise _unknown_column(path, n, names, "feature column")
    if not feature_names:
        raise DataError(f"{path}: no feature columns (only the label column {label_name!r})")
    columns = list(zip(*rows))
    X = np.empty((len(rows), len(feature_names)), dtype=np.float64)
    for k, n in enumerate(feature_names):
        X[:, k] = _numeric_column(path, columns[index[n]], lines, n, index[n], "feature columns")
    labels = None
    if label_name is not None and label_name in index:
        labels = _label_column(path, columns[index[label_name]], lines, label_name,
                               index[label_name])
    else:
        label_name = None
    return Table(X, labels, feature_names, label_name, path)
