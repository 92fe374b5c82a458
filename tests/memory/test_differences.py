import pytest

from annotations.memory.differences import differences, negated, numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Unemployment fell to 5.2% in March", [5.2]),
        ("El paro bajó al 5,2 % en marzo", [5.2]),
        ("built 300,000 homes", [300000.0]),
        ("construido 300.000 viviendas", [300000.0]),
        ("300k homes", [300000.0]),
        ("three hundred thousand homes", [300000.0]),
        ("five point two per cent", [5.2]),
        ("un treinta y cinco por ciento", [35.0]),
        ("twenty-two percent", [22.0]),
        ("85 millones de turistas en 2023", [85_000_000.0, 2023.0]),
        ("1.234,5 euros", [1234.5]),
        ("1,234.5 dollars", [1234.5]),
        ("one of the reasons", []),
    ],
)
def test_numbers_read_both_locales_and_words(text, expected):
    assert numbers(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Crime has not increased", True),
        ("Crime hasn't increased", True),
        ("La vacuna no provoca la gripe", True),
        ("Nunca se probó", True),
        ("Crime has increased", False),
        ("It is not true that it did not rise", False),
    ],
)
def test_negation(text, expected):
    assert negated(text) is expected


def test_differences_name_the_numbers_and_negation_that_differ():
    assert differences("Unemployment fell to 5.2%", "El paro bajó al 5,2 %") == {}
    assert differences("Inflation hit 11.1%", "Inflation hit 3.1%") == {
        "numbers": {"this": [11.1], "other": [3.1]}
    }
    assert differences("Wind beat coal", "Wind did not beat coal") == {
        "negation": {"this": False, "other": True}
    }
