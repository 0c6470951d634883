"""Model files: a round trip gives the same predictions; every bad file is one clear line."""
import io
import json
import os
import zipfile

import numpy as np
import pytest

from chainrule import nn
from chainrule.data import Standardizer
from chainrule.train import ModelFileError, TrainedModel, load_model


def trained_classifier(classes=("cat", "dog", "emu")):
    rng = np.random.default_rng(0)
    X = rng.normal(5.0, 3.0, (20, 4))
    net = nn.Sequential(nn.Dense(4, 7), nn.ReLU(), nn.Dropout(0.1), nn.Dense(7, len(classes)))
    tm = TrainedModel(net, net.init(3), loss="cross_entropy", classes=list(classes),
                      x_scaler=Standardizer().fit(X), feature_names=["a", "b", "c", "d"],
                      label_name="kind", info={"test_accuracy": 0.5, "seed": np.int64(3)})
    return tm, X


def saved(tmp_path, tm=None):
    tm = tm or trained_classifier()[0]
    path = str(tmp_path / "model.npz")
    tm.save(path)
    return path


def one_line(e, path):
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith(path), msg
    return msg


def test_round_trip_gives_equal_predictions(tmp_path):
    tm, X = trained_classifier()
    path = saved(tmp_path, tm)
    back = load_model(path)
    np.testing.assert_array_equal(back.outputs(X), tm.outputs(X))
    np.testing.assert_array_equal(back.predict_proba(X), tm.predict_proba(X))
    assert back.predict(X).tolist() == tm.predict(X).tolist()
    assert set(back.predict(X)) <= {"cat", "dog", "emu"}
    assert back.classes == ["cat", "dog", "emu"] and back.feature_names == ["a", "b", "c", "d"]
    assert back.label_name == "kind" and back.task == "classification"
    assert back.info == {"test_accuracy": 0.5, "seed": 3}
    assert back.model.config() == tm.model.config()
    np.testing.assert_array_equal(back.x_scaler.mean, tm.x_scaler.mean)
    for a, b in zip(nn_leaves(back.params), nn_leaves(tm.params)):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


def nn_leaves(tree):
    import chainrule as cr
    return cr.tree_leaves(tree)


def test_round_trip_regression_with_target_scaling(tmp_path):
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((30, 3)), rng.normal(100, 20, (30, 1))
    net = nn.Sequential(nn.Dense(3, 5), nn.Tanh(), nn.Dense(5, 1))
    tm = TrainedModel(net, net.init(0), loss="mse", x_scaler=Standardizer().fit(X),
                      y_scaler=Standardizer().fit(y))
    path = saved(tmp_path, tm)
    back = load_model(path)
    assert back.task == "regression" and back.predict(X).shape == (30,)
    np.testing.assert_array_equal(back.predict(X), tm.predict(X))
    assert abs(np.mean(tm.predict(X)) - 100) < 60          # in the target's units


def test_the_file_holds_plain_arrays_and_a_json_header(tmp_path):
    path = saved(tmp_path)
    with np.load(path, allow_pickle=False) as z:
        names = set(z.files)
        header = json.loads(z["header"].tobytes().decode("utf-8"))
        assert all(z[n].dtype != object for n in names)
    assert {"header", "x_mean", "x_scale", "param_0000"} <= names
    assert header["format"] == "chainrule.model" and header["format_version"] == 1
    import chainrule
    assert header["chainrule_version"] == chainrule.__version__
    assert header["model"]["type"] == "Sequential"
    assert not os.path.exists(path + ".npz")              # no suffix added to the name
    assert [f for f in os.listdir(tmp_path) if f.startswith(".chainrule-")] == []


def rewrite(path, change):
    """Re-save the file's entries after change(entries) (entries: name -> array)."""
    with np.load(path, allow_pickle=False) as z:
        entries = {n: z[n] for n in z.files}
    change(entries)
    with open(path, "wb") as f:
        np.savez(f, **entries)


def set_header(path, **fields):
    def change(entries):
        h = json.loads(entries["header"].tobytes().decode("utf-8"))
        h.update(fields)
        entries["header"] = np.frombuffer(json.dumps(h).encode(), dtype=np.uint8)
    rewrite(path, change)


def test_missing_file_and_directory(tmp_path):
    p = str(tmp_path / "none.npz")
    with pytest.raises(ModelFileError, match="no such file") as e:
        load_model(p)
    one_line(e, p)
    with pytest.raises(ModelFileError, match="is a directory"):
        load_model(str(tmp_path))


@pytest.mark.parametrize("content, match", [
    (b"", "empty"),
    (b"hello, I am a text file\n", "not a zip archive"),
    (b"\x80\x04\x95\x00", "not a zip archive"),                 # a pickle stream
])
def test_foreign_bytes(tmp_path, content, match):
    p = str(tmp_path / "m.npz")
    open(p, "wb").write(content)
    with pytest.raises(ModelFileError, match=match) as e:
        load_model(p)
    assert "not a chainrule model file" in one_line(e, p)


def test_a_single_npy_array(tmp_path):
    p = str(tmp_path / "m.npz")
    with open(p, "wb") as f:
        np.save(f, np.ones(3))
    with pytest.raises(ModelFileError, match=r"single NumPy array \(.npy\)") as e:
        load_model(p)
    one_line(e, p)


def test_truncated_file(tmp_path):
    p = saved(tmp_path)
    raw = open(p, "rb").read()
    for cut in (len(raw) // 2, len(raw) - 10, 40):
        open(p, "wb").write(raw[:cut])
        with pytest.raises(ModelFileError, match="corrupt or truncated") as e:
            load_model(p)
        one_line(e, p)


def test_corrupt_bytes_inside(tmp_path):
    p = saved(tmp_path)
    raw = bytearray(open(p, "rb").read())
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as z:
        info = z.getinfo("param_0000.npy")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for k in range(start + 5, start + 25):                     # scramble the compressed data
        raw[k] ^= 0x5A
    open(p, "wb").write(bytes(raw))
    with pytest.raises(ModelFileError, match="corrupt") as e:
        load_model(p)
    one_line(e, p)


def test_foreign_npz(tmp_path):
    p = str(tmp_path / "weights.npz")
    with open(p, "wb") as f:
        np.savez(f, W=np.ones((2, 2)), b=np.zeros(2))
    with pytest.raises(ModelFileError, match=r"without a header; it holds: W, b") as e:
        load_model(p)
    one_line(e, p)


def test_npz_with_another_programs_header(tmp_path):
    p = saved(tmp_path)
    set_header(p, format="someone.else")
    with pytest.raises(ModelFileError, match="format tag 'someone.else'"):
        load_model(p)


def test_pickled_object_array_is_refused_not_unpickled(tmp_path):
    p = str(tmp_path / "evil.npz")
    with open(p, "wb") as f:
        np.savez(f, header=np.array([{"format": "chainrule.model"}], dtype=object))
    with pytest.raises(ModelFileError, match="pickled object array") as e:
        load_model(p)
    one_line(e, p)
    p2 = saved(tmp_path)                                 # a good file with one object entry
    rewrite(p2, lambda entries: entries.update(x_mean=np.array([object()], dtype=object)))
    with pytest.raises(ModelFileError, match="pickled object array"):
        load_model(p2)


def test_newer_format_version(tmp_path):
    p = saved(tmp_path)
    set_header(p, format_version=99, chainrule_version="9.0")
    with pytest.raises(ModelFileError) as e:
        load_model(p)
    msg = one_line(e, p)
    assert "format version 99" in msg and "reads version 1" in msg and "upgrade" in msg
    set_header(p, format_version="one")
    with pytest.raises(ModelFileError, match="format version 'one'"):
        load_model(p)


def test_header_that_is_not_json(tmp_path):
    p = saved(tmp_path)
    rewrite(p, lambda e: e.update(header=np.frombuffer(b"{not json", dtype=np.uint8)))
    with pytest.raises(ModelFileError, match="header is not JSON"):
        load_model(p)
    rewrite(p, lambda e: e.update(header=np.zeros(3)))
    with pytest.raises(ModelFileError, match="header is not JSON"):
        load_model(p)


def test_architecture_and_parameters_must_fit(tmp_path):
    p = saved(tmp_path)
    set_header(p, model={"type": "NoSuchLayer"})
    with pytest.raises(ModelFileError, match="architecture in the header is not understood"):
        load_model(p)
    p = saved(tmp_path)
    rewrite(p, lambda e: e.update(param_0000=np.ones((3, 3), np.float32)))
    with pytest.raises(ModelFileError, match=r"parameter 0 has shape \(3, 3\), the architecture "
                                             r"needs \(4, 7\)"):
        load_model(p)
    p = saved(tmp_path)
    rewrite(p, lambda e: e.pop("param_0003"))
    with pytest.raises(ModelFileError, match="parameter 3 is missing"):
        load_model(p)
    p = saved(tmp_path)
    rewrite(p, lambda e: e.update(param_0001=np.zeros(7, np.int64)))
    with pytest.raises(ModelFileError, match="expected floats"):
        load_model(p)
    p = saved(tmp_path)
    rewrite(p, lambda e: e.pop("x_scale"))
    with pytest.raises(ModelFileError, match="x_mean and x_scale do not match"):
        load_model(p)


def test_saving_writes_nothing_on_failure(tmp_path):
    tm, _ = trained_classifier()
    tm.info["bad"] = float("nan")                        # not JSON: refused before writing
    with pytest.raises(ValueError):
        tm.save(str(tmp_path / "m.npz"))
    assert os.listdir(tmp_path) == []
