import pytest

from infra_mind.web.wizard.fields import option_label


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ("north_america", "North America"),
        ("middle_east", "Middle East"),
        ("ai_adoption", "AI adoption"),
        ("pci_dss", "PCI DSS"),
        ("soc2", "SOC 2"),
        ("time_to_market", "Time to market"),
    ],
)
def test_choices_read_as_people_write_them(value: str, label: str) -> None:
    assert option_label(value) == label
