"""Sector tagging: NACE Rev. 2 sections from sector nouns and occupations, with the traps."""

from __future__ import annotations

import pytest

from nlp.sectors import find_sectors, nace_sections, plural


def codes(text: str) -> list[str]:
    return sorted({code for _, _, code, _ in find_sectors(text)})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Microcredentials in engineering, manufacturing and construction", ["C", "F", "M"]),
        ("A course in vehicle repair for car mechanics", ["G"]),
        ("Skills for vehicle manufacturing and the automotive industry", ["C"]),
        ("Badges for welders and CNC machining", ["C"]),
        ("Nurses and care workers in long-term care", ["Q"]),
        ("Hotels, restaurants and catering", ["I"]),
        ("Logistics and warehousing staff, truck drivers", ["H"]),
        ("Retail and wholesale: sales assistants", ["G"]),
        ("Software developers and cybersecurity in the ICT sector", ["J"]),
        ("Banking and insurance staff", ["K"]),
        ("Civil servants in public administration", ["O"]),
        ("Farmers and agri-food producers", ["A"]),
        ("Solar installers and renewable energy firms", ["D"]),
        ("Bricklayers, carpenters and plumbers on construction sites", ["F"]),
        # education is P only when education staff are the sector
        ("Training of trainers and upskilling of VET teachers", ["P"]),
        ("Learners in VET and higher education institutions", []),
        ("Universities issue microcredentials in vocational education", []),
        # metaphors and names that are no sector
        ("The construction of trust between employers and providers", []),
        ("The pilot project ran in 2023 and the research paper followed.", []),
        ("Chambers of Industry and Commerce offer partial qualifications.", []),
        ("The Academic Bank of Credits stores credits.", []),
        ("A one-stop shop for training on the shop floor", []),
        # a term that only modifies another activity, or is named as a contrast or analogy
        ("Warehouse staff learn IT-based stock control", ["H"]),
        ("IT staff and solar-powered pumps", ["J"]),
        ("Unlike the skills of an electrician or a nurse, a sales assistant's are implicit", ["G"]),
        ("Just as trophies matter in the games industry, badges matter to accountants", ["M"]),
        ("Energy-efficiency retrofits by construction workers", ["F"]),
        # national industry means manufacturing; staff trained to teach are education (P)
        ("In Austrian industry the module apprenticeship grew", ["C"]),
        ("Clinical staff had never been trained as educators", ["P", "Q"]),
        ("Politicians as architects of the reform", []),
        # idioms: a word of a sector in an everyday phrase
        ("Send it to our postal address", []),
        ("A battery of tests, in defence of the thesis", []),
        ("Women accounting for 20% of learners", []),
        ("Credit banking and the banking of credits", []),
        ("An army of volunteers handled the logistics of the event", []),
        ("Social insurance and unemployment insurance contributions", []),
        ("Reasonable accommodation for disabled learners; travel and accommodation costs", []),
        ("The house is under construction", []),
        ("WHY IT MATTERS: HOW IT WORKS", []),
        ("MICROCREDENTIALS IN IT AND HEALTH", ["J", "Q"]),
        # education staff count only where their own skills or credentials are at stake
        ("Teachers play an active role in unbundling content into units.", []),
        ("Teachers' pay lies outside its scope.", []),
        ("Teachers need digital skills.", ["P"]),
        ("A course for school staff.", ["P"]),
        ("it is what it is", []),
        ("The platform it supports is open", []),
        # the broader lexicon: occupations and activity nouns, variants
        ("Toolmakers and machinists in a car plant", ["C"]),
        ("Cheese production and food processing", ["C"]),
        ("Growers, gardeners and viticulture", ["A"]),
        ("Lorry drivers, freight forwarding and seaports", ["H"]),
        ("Front-of-house staff and chefs in tourism services", ["I"]),
        ("Computer science, cloud engineers and UX designers", ["J"]),
        ("Sustainable finance and insurers", ["K"]),
        ("Lawyers, auditing and R&D staff", ["M"]),
        ("Ministry staff and police officers", ["O"]),
        ("Health and social care: the Care Certificate in an NHS trust", ["Q"]),
        ("Deep renovation by HVAC installers and tilers", ["F"]),
        ("Defense manufacturing and the labor market for welders", ["C"]),
        # ambiguous single words are not sectors
        ("The architecture of the qualifications system and the scaffolding of learning", []),
        ("Researchers interviewed educators about the World Bank report", []),
        ("The main drivers behind microcredentials; drivers of change", []),
        ("Lorry drivers and bus drivers for the public transport operator", ["H"]),
        ("Templates for Microsoft Office", []),
    ],
)
def test_sector_sentences(text: str, expected: list[str]) -> None:
    assert codes(text) == expected


def test_longest_match_wins() -> None:
    found = find_sectors("welding engineers")
    assert [(c, r) for _, _, c, r in found] == [("C", "term")]


def test_plurals() -> None:
    assert plural("nurse") == "nurses"
    assert plural("factory") == "factories"
    assert plural("logistics") is None


def test_nace_table_has_21_sections() -> None:
    sections = nace_sections()
    assert len(sections) == 21
    assert sections["C"]["title"] == "Manufacturing"
    assert sections["P"]["slug"] == "education"


def test_component_writes_spans(nlp_pipeline) -> None:
    doc = nlp_pipeline("Nurses in hospitals")
    assert {(s.text, s.label_) for s in doc.spans["sectors"]} == {
        ("Nurses", "Q"),
        ("hospitals", "Q"),
    }
