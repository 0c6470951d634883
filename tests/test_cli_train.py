"""chainrule train / predict, run in-process: exit codes, one-line messages, the round trip
train --save -> predict. Small epochs keep these quick."""
import os
import sys

import numpy as np
import pytest

from chainrule.cli import main

FAST = ["--quiet", "--epochs", "3", "--hidden", "8"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def usage_error(capsys, *argv):
    code, out, err = run(capsys, *argv)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"chainrule {argv[0]}: "), err
    return lines[0]


def iris_csv(tmp_path, name="iris.csv"):
    sk = pytest.importorskip("sklearn.datasets")
    d = sk.load_iris()
    path = tmp_path / name
    with open(path, "w") as f:
        f.write("sepal_length,sepal_width,petal_length,petal_width,species\n")
        for x, t in zip(d.data, d.target):
            f.write(",".join(f"{v:g}" for v in x) + f",{d.target_names[t]}\n")
    return str(path)


def test_help_lists_train_and_predict(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "train" in out and "predict" in out


def test_train_on_a_bundled_dataset_reports_the_test_accuracy(capsys):
    pytest.importorskip("sklearn")
    code, out, err = run(capsys, "train", "--data", "wine", "--epochs", "30", "--quiet")
    assert code == 0
    assert "wine: 178 rows, 13 features, 3 classes" in out
    acc = float(out.split("test accuracy: ")[1].split()[0])
    assert acc >= 0.9
    assert err == ""


def test_progress_goes_to_stderr(capsys):
    code, out, err = run(capsys, "train", "--data", "moons", "--epochs", "2", "--hidden", "4")
    assert code == 0 and "epoch 2/2" in err and "test accuracy" in out


def test_progress_without_tqdm_prints_lines(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    code, out, err = run(capsys, "train", "--data", "moons", "--epochs", "2", "--hidden", "4")
    assert code == 0 and err.splitlines()[0].startswith("epoch 1/2  loss ")


def test_save_plot_and_predict_round_trip(capsys, tmp_path):
    pytest.importorskip("sklearn")
    model, test, png = (str(tmp_path / n) for n in ("m.npz", "test.csv", "c.png"))
    code, out, _ = run(capsys, "train", "--data", "iris", "--epochs", "40", "--quiet",
                       "--save", model, "--save-test", test, "--plot", png)
    assert code == 0 and os.path.exists(model) and os.path.exists(test)
    acc = out.split("test accuracy: ")[1].split()[0]
    if "matplotlib" in sys.modules or _has("matplotlib"):
        assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    code, pred, err = run(capsys, "predict", "--model", model, test)
    assert code == 0
    rows = pred.strip().splitlines()
    assert rows[0] == "predicted_target" and len(rows) == 31
    assert set(rows[1:]) <= {"setosa", "versicolor", "virginica"}
    assert f"accuracy on {test}" in err and f": {acc} " in err     # the same test score
    out_csv = str(tmp_path / "p.csv")
    code, pred, _ = run(capsys, "predict", "--model", model, test, "--proba", "-o", out_csv)
    head = open(out_csv).readline().strip()
    assert code == 0 and pred == "" and head == \
        "predicted_target,p(setosa),p(versicolor),p(virginica)"


def _has(name):
    import importlib.util
    return importlib.util.find_spec(name) is not None


def test_csv_with_named_label_column_and_predict_by_column_name(capsys, tmp_path):
    path = iris_csv(tmp_path)
    model = str(tmp_path / "m.npz")
    code, out, _ = run(capsys, "train", "--data", path, "--label", "species", "--epochs", "30",
                       "--quiet", "--save", model)
    assert code == 0 and "iris.csv: 150 rows, 4 features, 3 classes" in out
    new = tmp_path / "new.csv"                       # other column order, no label
    new.write_text("petal_width,petal_length,sepal_width,sepal_length\n0.2,1.4,3.5,5.1\n"
                   "2.3,5.4,3.0,6.2\n")
    code, pred, err = run(capsys, "predict", "--model", model, str(new))
    assert code == 0 and pred.split() == ["predicted_species", "setosa", "virginica"]
    assert err == ""


def test_regression_csv(capsys, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (200, 2))
    y = 50 + 10 * X[:, 0] - 5 * X[:, 1] ** 2
    path = tmp_path / "reg.csv"
    path.write_text("u,v,price\n" + "".join(f"{a},{b},{c}\n" for (a, b), c in zip(X, y)))
    model = str(tmp_path / "r.npz")
    code, out, _ = run(capsys, "train", "--data", str(path), "--epochs", "60", "--quiet",
                       "--hidden", "16", "--save", model)
    assert code == 0 and "regression" in out and "loss mse" in out
    r2 = float(out.split("R^2: ")[1].split()[0])
    assert r2 > 0.9
    code, pred, err = run(capsys, "predict", "--model", model, str(path))
    values = np.array(pred.split()[1:], dtype=float)
    assert code == 0 and values.shape == (200,) and abs(values.mean() - y.mean()) < 2
    assert "RMSE on" in err


@pytest.mark.parametrize("text, needle", [
    ("a,b,y\n1,2,0\n3,,1\n", "line 3, column 'b' (2): missing value"),
    ("a,b,y\n1,red,0\n3,4,1\n", "line 2, column 'b' (2): 'red' is not a number"),
    ("a,b,y\n1,2,0\n3,4\n", "line 3: 2 fields, but the header has 3 columns"),
])
def test_bad_csv_is_one_line_and_status_2(capsys, tmp_path, text, needle):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    line = usage_error(capsys, "train", "--data", str(path), *FAST)
    assert str(path) in line and needle in line


def test_unknown_label_column(capsys, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b,y\n1,2,0\n3,4,1\n")
    line = usage_error(capsys, "train", "--data", str(path), "--label", "target", *FAST)
    assert "no label column 'target'" in line and "a, b, y" in line


@pytest.mark.parametrize("argv, needle", [
    (["--data", "mnist"], "not a dataset name"),
    (["--data", "nothere.csv"], "nothere.csv: no such file"),
    (["--hidden", "64,x"], "--hidden must be layer sizes"),
    (["--hidden", "64,0"], "every layer size must be >= 1"),
    (["--epochs", "0"], "--epochs must be >= 1"),
    (["--lr", "-1"], "--lr must be > 0"),
    (["--batch-size", "0"], "--batch-size"),
    (["--test-size", "1"], "--test-size"),
    (["--val", "1"], "--val"),
    (["--dropout", "1"], "--dropout"),
    (["--data", "moons", "--loss", "mse"], "does not fit moons"),
    (["--data", "moons", "--label", "y"], "--label is for CSV files"),
    (["--save", "/no/such/folder/m.npz"], "does not exist"),
])
def test_bad_options(capsys, argv, needle):
    args = ["train", *FAST, *argv]
    if "--data" not in argv:
        args += ["--data", "moons"]
    assert needle in usage_error(capsys, *args)


def test_missing_scikit_learn_names_the_extra(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    line = usage_error(capsys, "train", *FAST)
    assert "scikit-learn" in line and "pip install 'chainrule[sklearn]'" in line


def test_predict_bad_model_file(capsys, tmp_path):
    csv = tmp_path / "d.csv"
    csv.write_text("a,b\n1,2\n")
    bad = tmp_path / "m.npz"
    bad.write_bytes(b"PK\x03\x04 truncated")
    line = usage_error(capsys, "predict", "--model", str(bad), str(csv))
    assert "corrupt or truncated" in line
    line = usage_error(capsys, "predict", "--model", str(tmp_path / "none.npz"), str(csv))
    assert "no such file" in line


def test_predict_csv_without_a_feature_column(capsys, tmp_path):
    model = str(tmp_path / "m.npz")
    assert run(capsys, "train", "--data", "moons", *FAST, "--save", model)[0] == 0
    csv = tmp_path / "d.csv"
    csv.write_text("x1,x3\n1,2\n")
    line = usage_error(capsys, "predict", "--model", model, str(csv))
    assert "no feature column 'x2'" in line
    csv.write_text("x1,x2\n1,\n")
    assert "line 2, column 'x2' (2): missing value" in \
        usage_error(capsys, "predict", "--model", model, str(csv))


def test_predict_needs_a_model_argument(capsys):
    with pytest.raises(SystemExit) as e:
        main(["predict", "data.csv"])
    assert e.value.code == 2
    assert "--model" in capsys.readouterr().err


def test_default_epochs_and_input_dropout_follow_the_data(capsys):
    # moons: 800 training rows, 13 steps of 64 per epoch -> 77 epochs make >= 1000 steps;
    # 2 features -> no input dropout
    code, out, _ = run(capsys, "train", "--data", "moons", "--quiet", "--hidden", "4")
    model_line = out.splitlines()[1]
    assert code == 0 and "77 epochs" in model_line and "input dropout" not in model_line
    code, out, _ = run(capsys, "train", "--data", "moons", "--quiet", "--hidden", "4",
                       "--epochs", "2", "--input-dropout", "0.1")
    assert "2 epochs" in out and "input dropout 0.1" in out


def test_plot_without_matplotlib_names_the_extra(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    line = usage_error(capsys, "train", "--data", "moons", *FAST, "--plot",
                       str(tmp_path / "c.png"))
    assert "pip install 'chainrule[plot]'" in line
