"""Input parsing and validation: valid inputs parse, every error names its field path."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra_mind.domain.input_rules import (
    RegionInfo,
    defaulted_fields,
    load_input_file,
    parse_input,
    parse_input_text,
)
from infra_mind.domain.requirements import AssessmentInput
from infra_mind.errors import InputUnreadable, InvalidInput

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
Raw = dict[str, Any]


def errors_of(raw: Raw) -> dict[str, str]:
    """Field path → message of every error the input raises."""
    with pytest.raises(InvalidInput) as caught:
        parse_input(raw)
    return {e.path: e.message for e in caught.value.errors}


# --- valid inputs ----------------------------------------------------------------------------------


def test_there_are_at_least_three_examples(example_inputs: dict[str, Raw]) -> None:
    assert {"healthtech-hipaa", "eu-fintech-pci", "llm-scaleup"} <= set(example_inputs)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_example_yaml_file_loads(path: Path) -> None:
    spec = load_input_file(path)
    assert isinstance(spec, AssessmentInput)
    assert spec.workloads


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_same_data_as_json_gives_the_same_input(path: Path, tmp_path: Path) -> None:
    from_yaml = load_input_file(path)
    as_json = json.dumps(yaml.safe_load(path.read_text()))
    json_file = tmp_path / "input.json"
    json_file.write_text(as_json)

    assert load_input_file(json_file) == from_yaml
    assert parse_input_text(as_json, json_format=True) == from_yaml


def test_yaml_text_parses(healthtech: Raw) -> None:
    assert parse_input_text(yaml.safe_dump(healthtech)).company.name == "CareBridge Health"


def test_examples_are_different_companies(example_inputs: dict[str, Raw]) -> None:
    specs = [parse_input(raw) for raw in example_inputs.values()]
    assert len({s.company.industry for s in specs}) == len(specs)
    assert len({tuple(s.compliance.frameworks) for s in specs}) == len(specs)


# --- unreadable input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "json_format"),
    [
        ("company: [unclosed", False),
        ("company:\n  name: a\n   size: b\n\tx", False),
        ("{not json", True),
        ("", False),
        ("- a\n- b\n", False),
        ("just a string", False),
        ("[1, 2]", True),
    ],
    ids=["bad-yaml", "bad-indent", "bad-json", "empty", "yaml-list", "yaml-scalar", "json-list"],
)
def test_unreadable_or_non_mapping_input(text: str, json_format: bool) -> None:
    with pytest.raises(InputUnreadable):
        parse_input_text(text, json_format=json_format)


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(InputUnreadable, match="cannot read"):
        load_input_file(tmp_path / "nope.yaml")


# --- one error, named by its path ------------------------------------------------------------------

Mutation = Callable[[Raw], object]


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d["growth"].update(users_12m=100), "growth.users_12m"),
        (lambda d: d["growth"].update(current_users=-1), "growth.current_users"),
        (lambda d: d["workloads"][1].update(requests_per_second=0), "workloads[1].requests_per_second"),
        (lambda d: d["workloads"][1].update(requests_per_second="fast"), "workloads[1].requests_per_second"),
        (lambda d: d["workloads"][0].pop("requests_per_second"), "workloads[0].requests_per_second"),
        (lambda d: d["team"].update(ml_engineers=20), "team.ml_engineers"),
        (
            lambda d: d["current_infrastructure"].update(spend_breakdown_pct={"compute": 80, "database": 30}),
            "current_infrastructure.spend_breakdown_pct",
        ),
        (
            lambda d: d["current_infrastructure"].update(spend_breakdown_pct={"compute": -5}),
            "current_infrastructure.spend_breakdown_pct",
        ),
        (lambda d: d["budget"].update(total_min_usd=500_000), "budget.total_max_usd"),
        (lambda d: d["budget"].update(total_min_usd=None, total_max_usd=5_000), "budget.total_max_usd"),
        (lambda d: d["providers"].update(preferred=["aws"], excluded=["aws"]), "providers.excluded"),
        (lambda d: d["providers"].update(excluded=["aws", "azure", "gcp"]), "providers.excluded"),
        (lambda d: d["performance"].update(global_distribution=True), "performance.global_distribution"),
        (lambda d: d["workloads"][2].update(name="Patient-Portal"), "workloads[2].name"),
        (lambda d: d["company"].update(headcount=3), "company.headcount"),
        (lambda d: d["workloads"][1].update(gpu_required=True), "workloads[1].gpu_required"),
        (lambda d: d.update(mascot="owl"), "mascot"),
        (lambda d: d.pop("company"), "company"),
        (lambda d: d.update(workloads=[]), "workloads"),
        (lambda d: d["company"].update(customer_markets=["europe", "europe"]), "company.customer_markets"),
        (lambda d: d["compliance"].update(frameworks=["hipaa", "hipaa"]), "compliance.frameworks"),
        (lambda d: d["providers"].update(preferred_regions=["EU West!"]), "providers.preferred_regions[0]"),
    ],
    ids=[
        "projected-below-current",
        "negative-users",
        "zero-rps",
        "rps-not-a-number",
        "rps-missing",
        "specialists-exceed-team",
        "percentages-over-100",
        "negative-percentage",
        "total-max-below-min",
        "total-below-one-month",
        "preferred-and-excluded",
        "all-excluded",
        "global-needs-two-markets",
        "duplicate-workload-name",
        "unknown-company-field",
        "unknown-workload-field",
        "unknown-top-level-field",
        "missing-section",
        "no-workloads",
        "duplicate-market",
        "duplicate-framework",
        "region-code-pattern",
    ],
)
def test_error_names_its_field(healthtech: Raw, mutate: Mutation, path: str) -> None:
    mutate(healthtech)
    assert list(errors_of(healthtech)) == [path]


def test_duplicate_name_points_at_the_first_use(healthtech: Raw) -> None:
    healthtech["workloads"][2]["name"] = "fhir-api"
    assert "workloads[1]" in errors_of(healthtech)["workloads[2].name"]


def test_extra_field_is_rejected_as_such(healthtech: Raw) -> None:
    healthtech["team"]["k8s_expertise"] = 4
    assert "not permitted" in errors_of(healthtech)["team.k8s_expertise"]


def test_unknown_workload_type_is_reported_on_that_workload(healthtech: Raw) -> None:
    healthtech["workloads"][0]["type"] = "mainframe"
    (path, message), *_ = errors_of(healthtech).items()
    assert path.startswith("workloads[0]")
    assert "mainframe" in message
    assert "web_app" in message


@pytest.mark.parametrize("type_value", ["mainframe", None], ids=["unknown", "missing"])
def test_workload_type_error_names_the_type_field(healthtech: Raw, type_value: str | None) -> None:
    if type_value is None:
        del healthtech["workloads"][0]["type"]
    else:
        healthtech["workloads"][0]["type"] = type_value
    assert list(errors_of(healthtech)) == ["workloads[0].type"]


def test_unknown_spend_category_names_the_key(healthtech: Raw) -> None:
    healthtech["current_infrastructure"]["spend_breakdown_pct"] = {"gpu": 10}
    assert list(errors_of(healthtech)) == ["current_infrastructure.spend_breakdown_pct.gpu"]


def test_specialists_exceed_team_without_ml_engineers(healthtech: Raw) -> None:
    del healthtech["team"]["ml_engineers"]
    healthtech["team"].update(devops_engineers=10, data_engineers=10)
    assert "team" in " ".join(errors_of(healthtech))


# --- enums and ranges ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "field", "value"),
    [
        ("performance", "uptime_target_pct", 100.1),
        ("performance", "uptime_target_pct", 89),
        ("performance", "rto_minutes", 0),
        ("performance", "rpo_minutes", -1),
        ("team", "kubernetes_expertise", 6),
        ("team", "cloud_expertise", 0),
        ("team", "size", 0),
        ("growth", "current_users", -5),
        ("budget", "monthly_limit_usd", 0),
        ("budget", "flexibility", "loose"),
        ("company", "industry", "banking"),
        ("company", "size", "huge"),
        ("timeline", "urgency", "asap"),
        ("timeline", "target_months", 61),
    ],
)
def test_out_of_range_or_unknown_value(healthtech: Raw, section: str, field: str, value: object) -> None:
    healthtech[section][field] = value
    assert list(errors_of(healthtech)) == [f"{section}.{field}"]


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d["goals"][1].update(priority="urgent"), "goals[1].priority"),
        (
            lambda d: d["security"].update(required_controls=["mfa", "firewalls"]),
            "security.required_controls[1]",
        ),
        (lambda d: d["compliance"].update(data_residency=["DE"]), "compliance.data_residency[0]"),
        (lambda d: d["workloads"][3].update(model_size_b_params=0), "workloads[3].model_size_b_params"),
        (lambda d: d.update(schema_version="2"), "schema_version"),
    ],
    ids=["goal-priority", "security-control", "jurisdiction", "model-size", "schema-version"],
)
def test_list_items_are_named_by_index(healthtech: Raw, mutate: Mutation, path: str) -> None:
    mutate(healthtech)
    assert list(errors_of(healthtech)) == [path]


def test_upper_bounds_are_inclusive(healthtech: Raw) -> None:
    healthtech["performance"]["uptime_target_pct"] = 99.999
    healthtech["team"]["kubernetes_expertise"] = 5
    assert parse_input(healthtech).team.kubernetes_expertise == 5


# --- several errors at once ------------------------------------------------------------------------


def test_all_field_errors_are_listed(healthtech: Raw) -> None:
    healthtech["growth"]["users_12m"] = 1
    healthtech["team"]["cloud_expertise"] = 0
    healthtech["workloads"][1]["requests_per_second"] = -3
    healthtech["performance"]["uptime_target_pct"] = 100.1

    assert set(errors_of(healthtech)) == {
        "growth.users_12m",
        "team.cloud_expertise",
        "workloads[1].requests_per_second",
        "performance.uptime_target_pct",
    }


def test_all_cross_section_errors_are_listed(healthtech: Raw) -> None:
    healthtech["workloads"][2]["name"] = "fhir-api"
    healthtech["performance"]["global_distribution"] = True
    healthtech["budget"].update(total_min_usd=None, total_max_usd=5_000)

    assert set(errors_of(healthtech)) == {
        "workloads[2].name",
        "performance.global_distribution",
        "budget.total_max_usd",
    }


def test_field_and_cross_section_errors_are_listed_together(healthtech: Raw) -> None:
    healthtech["workloads"][2]["name"] = "fhir-api"
    healthtech["team"]["cloud_expertise"] = 0

    assert set(errors_of(healthtech)) == {"workloads[2].name", "team.cloud_expertise"}


def test_invalid_input_message_lists_every_error(healthtech: Raw) -> None:
    healthtech["team"]["cloud_expertise"] = 0
    healthtech["growth"]["users_24m"] = 3
    with pytest.raises(InvalidInput) as caught:
        parse_input(healthtech)
    assert str(caught.value).startswith("2 invalid field(s)")
    assert "team.cloud_expertise" in str(caught.value)
    assert "growth.users_24m" in str(caught.value)


def test_text_input_reports_field_errors_too(healthtech: Raw) -> None:
    healthtech["team"]["kubernetes_expertise"] = 6
    with pytest.raises(InvalidInput) as caught:
        parse_input_text(json.dumps(healthtech), json_format=True)
    assert [e.path for e in caught.value.errors] == ["team.kubernetes_expertise"]


# --- the growth projection never falls -------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "previous"),
    [("users_12m", 27_000, "users_6m"), ("users_24m", 37_000, "users_12m")],
)
def test_a_fall_between_horizons_is_an_error_on_the_later_field(
    healthtech: Raw, field: str, value: int, previous: str
) -> None:
    healthtech["growth"][field] = value  # still above current_users (20,000)
    errors = errors_of(healthtech)

    assert list(errors) == [f"growth.{field}"]
    assert previous in errors[f"growth.{field}"]


def test_a_flat_projection_is_valid(healthtech: Raw) -> None:
    healthtech["growth"] = dict.fromkeys(("current_users", "users_6m", "users_12m", "users_24m"), 5_000)
    assert parse_input(healthtech).growth.users_24m == 5_000


# --- rules against the region catalog, in the same pass --------------------------------------------

REGIONS = {
    "us-east-1": RegionInfo("aws", "US"),
    "eu-central-1": RegionInfo("aws", "EU"),
    "eastus": RegionInfo("azure", "US"),
    "europe-west3": RegionInfo("gcp", "EU"),
}


def test_unknown_preferred_region_is_listed_with_the_field_errors(healthtech: Raw) -> None:
    healthtech["providers"]["preferred_regions"] = ["us-east-1", "mars-north-1"]
    healthtech["team"]["cloud_expertise"] = 0
    with pytest.raises(InvalidInput) as caught:
        parse_input(healthtech, regions=REGIONS)
    errors = {e.path: e.message for e in caught.value.errors}

    assert set(errors) == {"providers.preferred_regions[1]", "team.cloud_expertise"}
    assert "mars-north-1" in errors["providers.preferred_regions[1]"]


def test_residency_that_leaves_no_provider_is_listed_with_the_field_errors(healthtech: Raw) -> None:
    healthtech["compliance"]["data_residency"] = ["UK"]
    healthtech["workloads"][0]["requests_per_second"] = -1
    with pytest.raises(InvalidInput) as caught:
        parse_input(healthtech, regions=REGIONS)

    assert {e.path for e in caught.value.errors} == {
        "compliance.data_residency",
        "workloads[0].requests_per_second",
    }


def test_residency_met_only_by_an_excluded_provider_is_an_error(healthtech: Raw) -> None:
    healthtech["compliance"]["data_residency"] = ["EU"]
    healthtech["providers"].update(preferred=["azure"], excluded=["aws", "gcp"])
    with pytest.raises(InvalidInput) as caught:
        parse_input(healthtech, regions=REGIONS)
    assert [e.path for e in caught.value.errors] == ["compliance.data_residency"]


def test_without_the_catalog_region_codes_are_only_checked_for_shape(healthtech: Raw) -> None:
    healthtech["providers"]["preferred_regions"] = ["mars-north-1"]
    assert parse_input(healthtech).providers.preferred_regions == ["mars-north-1"]


# --- defaults that feed the plan are named -----------------------------------------------------------


def test_defaulted_fields_name_the_path_and_the_value_used(healthtech: Raw) -> None:
    defaults = {d.field: d for d in defaulted_fields(parse_input(healthtech))}

    assert defaults["workloads[1].avg_response_kb"].value == "10"
    assert "egress" in defaults["workloads[1].avg_response_kb"].drives
    assert defaults["workloads[2].peak_multiplier"].value == "2"
    assert "workloads[0].avg_response_kb" not in defaults  # given in the input
    assert "workloads[0].peak_multiplier" not in defaults


def test_stating_a_default_value_removes_it_from_the_list(healthtech: Raw) -> None:
    healthtech["workloads"][1]["avg_response_kb"] = 10
    defaults = {d.field for d in defaulted_fields(parse_input(healthtech))}
    assert "workloads[1].avg_response_kb" not in defaults


def test_model_size_of_a_managed_api_llm_is_not_listed(healthtech: Raw) -> None:
    healthtech["workloads"].append(
        {"name": "assistant", "type": "llm_application", "requests_per_day": 1000, "hosting": "managed_api"}
    )
    defaults = {d.field: d.value for d in defaulted_fields(parse_input(healthtech))}

    assert defaults["workloads[4].input_tokens_per_request"] == "1000"
    assert "workloads[4].model_size_b_params" not in defaults
    healthtech["workloads"][4]["hosting"] = "self_hosted"
    defaults = {d.field: d.value for d in defaulted_fields(parse_input(healthtech))}
    assert defaults["workloads[4].model_size_b_params"] == "not given"
