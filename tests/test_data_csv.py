"""CSV loading: good files read exactly, every kind of bad file gives one line that names the
file, the line and the column; datasets, splits and standardisation."""

import numpy as np
import pytest

from chainrule.data import (DataError, Standardizer, from_csv, load_csv, load_dataset, moons,
                            split_indices)


def write(tmp_path, text, name="data.csv", mode="w"):
    path = tmp_path / name
    if mode == "wb":
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


def one_line(e):
    msg = str(e.value)
    assert "\n" not in msg
    return msg


def test_reads_numbers_and_word_labels(tmp_path):
    p = write(tmp_path, "a, b ,kind\n1,2.5,cat\n\n-3e2, 4 ,dog\n")
    t = load_csv(p, "kind")
    np.testing.assert_array_equal(t.X, [[1.0, 2.5], [-300.0, 4.0]])
    assert t.labels.tolist() == ["cat", "dog"] and t.feature_names == ["a", "b"]
    assert t.label_name == "kind"


def test_label_defaults_to_last_column_and_numeric_labels(tmp_path):
    p = write(tmp_path, "x,y,z\n1,2,3\n4,5,6\n")
    t = load_csv(p)
    assert t.label_name == "z" and t.labels.dtype.kind == "i" and t.labels.tolist() == [3, 6]
    t = load_csv(p, "x")
    assert t.feature_names == ["y", "z"] and t.labels.tolist() == [1, 4]


def test_semicolon_and_tab_separators(tmp_path):
    for sep in (";", "\t"):
        p = write(tmp_path, f"a{sep}b{sep}y\n1,5{sep}2{sep}0\n".replace("1,5", "1.5"))
        assert load_csv(p).X.tolist() == [[1.5, 2.0]]


def test_quoted_fields_and_bom(tmp_path):
    p = write(tmp_path, '\ufeff"a","b c",label\n"1","2","big, red"\n')
    t = load_csv(p, "label")
    assert t.feature_names == ["a", "b c"] and t.labels.tolist() == ["big, red"]


def test_select_features_by_name_in_given_order(tmp_path):
    p = write(tmp_path, "a,b,c,y\n1,2,3,0\n")
    t = load_csv(p, "y", features=["c", "a"])
    assert t.X.tolist() == [[3.0, 1.0]]
    t = load_csv(p, "absent", features=["b"], require_label=False)
    assert t.labels is None and t.label_name is None


@pytest.mark.parametrize("cell", ["", "NA", "nan", " ? ", "null"])
def test_missing_feature_value_names_line_and_column(tmp_path, cell):
    p = write(tmp_path, f"a,b,y\n1,2,0\n3,4,1\n5,{cell},0\n")
    with pytest.raises(DataError) as e:
        load_csv(p, "y")
    msg = one_line(e)
    assert msg.startswith(p) and "line 4" in msg and "column 'b' (2)" in msg
    assert "missing value" in msg


def test_missing_value_line_counts_skipped_blank_lines(tmp_path):
    p = write(tmp_path, "a,y\n1,0\n\n\n,1\n")
    with pytest.raises(DataError, match="line 5, column 'a'"):
        load_csv(p, "y")


def test_missing_label(tmp_path):
    p = write(tmp_path, "a,y\n1,0\n2,\n")
    with pytest.raises(DataError, match=r"line 3, column 'y' \(2\): missing label"):
        load_csv(p, "y")


def test_non_numeric_feature_column(tmp_path):
    p = write(tmp_path, "size,colour,y\n1,red,0\n2,blue,1\n")
    with pytest.raises(DataError) as e:
        load_csv(p, "y")
    msg = one_line(e)
    assert "line 2, column 'colour' (2)" in msg and "'red' is not a number" in msg


def test_infinite_value(tmp_path):
    p = write(tmp_path, "a,y\n1,0\ninf,1\n")
    with pytest.raises(DataError, match="line 3.*'inf' is not a finite number"):
        load_csv(p, "y")


def test_unknown_label_column_lists_columns_and_suggests(tmp_path):
    p = write(tmp_path, "sepal,petal,species\n1,2,a\n")
    with pytest.raises(DataError) as e:
        load_csv(p, "specie")
    msg = one_line(e)
    assert "no label column 'specie'" in msg and "sepal, petal, species" in msg
    assert "did you mean 'species'" in msg


def test_unknown_feature_column(tmp_path):
    p = write(tmp_path, "a,y\n1,0\n")
    with pytest.raises(DataError, match="no feature column 'b'"):
        load_csv(p, "y", features=["b"])


@pytest.mark.parametrize("text, match", [
    ("", "empty"),
    ("\n\n", "empty"),
    ("a,b,y\n", "no data rows"),
    ("a,b,y\n1,2\n", r"line 2: 2 fields, but the header has 3 columns"),
    ("a,b,y\n1,2,3,4\n", r"line 2: 4 fields"),
    ("1,2,3\n4,5,6\n", "header row of column names"),
    ("a,,y\n1,2,3\n", r"line 1, column 2: empty column name"),
    ("a,a,y\n1,2,3\n", "column name 'a' appears twice"),
    ("y\n1\n", "no feature columns"),
])
def test_malformed_files(tmp_path, text, match):
    p = write(tmp_path, text)
    with pytest.raises(DataError, match=match) as e:
        load_csv(p)
    assert one_line(e).startswith(p)


def test_not_a_text_file(tmp_path):
    p = write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", mode="wb")
    with pytest.raises(DataError, match="not a (UTF-8 )?text file"):
        load_csv(p)
    with pytest.raises(DataError, match="no such file"):
        load_csv(str(tmp_path / "absent.csv"))
    with pytest.raises(DataError, match="is a directory"):
        load_csv(str(tmp_path))


def test_user_file_is_not_modified(tmp_path):
    text = "a,y\n1,0\n2,1\n"
    p = write(tmp_path, text)
    load_csv(p)
    assert open(p, encoding="utf-8").read() == text


def test_from_csv_picks_the_task(tmp_path):
    d = from_csv(write(tmp_path, "a,y\n1,b\n2,a\n3,b\n"))
    assert d.task == "classification" and d.classes == ["a", "b"] and d.y.tolist() == [1, 0, 1]
    d = from_csv(write(tmp_path, "a,y\n1,0.5\n2,1.25\n"))
    assert d.task == "regression" and d.y.dtype == np.float64
    d = from_csv(write(tmp_path, "a,y\n1,3\n2,7\n"))
    assert d.task == "classification" and d.classes == [3, 7]
    d = from_csv(write(tmp_path, "a,y\n1,3\n2,7\n"), task="regression")
    assert d.task == "regression" and d.y.tolist() == [3.0, 7.0]
    with pytest.raises(DataError, match="single class"):
        from_csv(write(tmp_path, "a,y\n1,3\n2,3\n"))
    with pytest.raises(DataError, match="holds words"):
        from_csv(write(tmp_path, "a,y\n1,u\n2,v\n"), task="regression")


def test_bundled_datasets():
    pytest.importorskip("sklearn")
    d = load_dataset("digits")
    assert d.X.shape == (1797, 64) and d.classes == list(range(10)) and d.task == "classification"
    d = load_dataset("iris")
    assert d.classes == ["setosa", "versicolor", "virginica"] and len(d.feature_names) == 4
    d = load_dataset("diabetes")
    assert d.task == "regression" and d.y.dtype == np.float64
    with pytest.raises(DataError, match="unknown dataset 'mnist'"):
        load_dataset("mnist")


def test_moons_is_reproducible_and_balanced():
    a, b, c = moons(100, seed=3), moons(100, seed=3), moons(100, seed=4)
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)
    assert np.bincount(a.y).tolist() == [50, 50]


def test_split_is_disjoint_complete_and_fixed_by_seed():
    y = np.repeat([0, 1, 2], [50, 30, 20])
    tr, te = split_indices(len(y), 0.2, seed=5, stratify=y)
    assert set(tr).isdisjoint(te) and len(tr) + len(te) == len(y)
    assert np.bincount(y[te]).tolist() == [10, 6, 4]           # every class keeps its share
    tr2, te2 = split_indices(len(y), 0.2, seed=5, stratify=y)
    np.testing.assert_array_equal(te, te2)
    assert not np.array_equal(te, split_indices(len(y), 0.2, seed=6, stratify=y)[1])
    tr, te = split_indices(10, 0.25, seed=0)
    assert len(te) == 2 or len(te) == 3
    with pytest.raises(ValueError, match="test_size"):
        split_indices(10, 1.5)


def test_standardizer_fits_on_given_rows_and_leaves_input_alone():
    rng = np.random.default_rng(0)
    X = rng.normal(3.0, 2.0, (500, 3))
    X[:, 2] = 7.0                                             # a constant column
    before = X.copy()
    s = Standardizer().fit(X)
    Z = s.transform(X)
    np.testing.assert_allclose(Z[:, :2].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z[:, :2].std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(Z[:, 2], 0.0)
    np.testing.assert_allclose(s.inverse_transform(Z), X, rtol=1e-12)
    np.testing.assert_array_equal(X, before)
