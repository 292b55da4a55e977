"""data: read options of spec v1 (sep, decimal, encoding, na_values) next to roles: optional,
strict, and checked with the rest of the spec."""

from __future__ import annotations

import copy

import pytest

from stratum_jupyter.errors import SpecError
from stratum_jupyter.spec import dump_spec, load_spec
from stratum_jupyter.spec.validate import collect_issues
from tests.conftest import VALID


def _spec(**data):
    spec = copy.deepcopy(VALID)
    spec["data"] = {"source": "csv:x.csv", "target": "y", **data}
    return spec


def test_old_specs_are_unchanged():
    spec = load_spec(VALID)
    assert spec.to_dict() == VALID
    assert (spec.data.sep, spec.data.decimal, spec.data.encoding) == (None, None, None)
    assert spec.data.na_values == [] and spec.data.roles == {}


def test_read_options_round_trip():
    data = {"sep": ";", "decimal": ",", "thousands": ".", "encoding": "latin-1",
            "na_values": ["?", "-", -999],
            "roles": {"year": "categorical"}}
    spec = load_spec(_spec(**data))
    assert spec.to_dict()["data"] == {"source": "csv:x.csv", "target": "y", **data}
    assert load_spec(dump_spec(spec)).to_dict() == spec.to_dict()


@pytest.mark.parametrize("written", ["\t", "\\t", "tab"])
def test_a_tab_may_be_written_three_ways(written):
    assert load_spec(_spec(sep=written)).data.sep == "\t"


@pytest.mark.parametrize("data,field,text", [
    ({"sep": ";;"}, "data.sep", "at most 1 character"),
    ({"decimal": ";"}, "data.decimal", "is not supported"),
    ({"encoding": "utf-9"}, "data.encoding", "unknown encoding 'utf-9'"),
    ({"sep": ",", "decimal": ","}, "data.decimal",
     "the decimal mark ',' is also the separator (data.decimal = data.sep)"),
    ({"sep": ";", "decimal": ",", "thousands": ","}, "data.thousands",
     "the thousands mark ',' is also the decimal mark (data.thousands = data.decimal)"),
    ({"decimal": ".", "thousands": "."}, "data.thousands", "the thousands mark '.' is also "
                                                   "the decimal mark"),
    ({"thousands": "_"}, "data.thousands", "is not supported"),
    ({"na_values": "?"}, "data.na_values", ""),
    ({"quote": "'"}, "data.quote", ""),
])
def test_bad_read_options_are_named(data, field, text):
    issues = collect_issues(_spec(**data))
    assert [i.field for i in issues] == [field]
    assert text in issues[0].message
    with pytest.raises(SpecError):
        load_spec(_spec(**data))
