"""Country tagging: trap sentences from real policy text, and the spaCy component."""

from __future__ import annotations

import pytest

from nlp.countries import find_countries


def codes(text: str) -> list[str]:
    return sorted({code for _, _, code, _ in find_countries(text)})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # names and possessives are never "languages"; only language adjectives can be
        ("In New Zealand, badges are listed on a register.", ["NZ"]),
        ("It belongs to New Zealand's regulated education system.", ["NZ"]),
        ("The guide was published in Swedish.", []),
        ("The word microcredenziale is the Italian rendering of the term.", []),
        # programmes, initiatives and key commitments named after people or cities
        ("The Leonardo da Vinci programme funded mobility.", []),
        ("The Bruges initiative launched closer cooperation.", []),
        ("It connects micro-credentials with the Bologna key commitments.", []),
        ("A summit in Porto agreed the action plan.", ["PT"]),
        # an address given as an imprint
        ("Published from its headquarters address at 7 place de Fontenoy, Paris.", []),
        # Georgia the US state vs the country
        ("The college in Atlanta, Georgia launched badges.", ["US"]),
        ("Georgia Tech offers micro-masters.", []),
        ("Georgia and Armenia joined the Torino Process review.", ["AM", "GE"]),
        # Jordan / Chad as personal names
        ("Michael Jordan endorsed the programme.", []),
        ("Jordan and Lebanon have national frameworks.", ["JO", "LB"]),
        ("Chad Smith, the director, spoke.", []),
        # lowercase turkey, all-caps TURKEY, Türkiye
        ("We ate roast turkey at the conference dinner.", []),
        ("TURKEY: NATIONAL QUALIFICATIONS FRAMEWORK", ["TR"]),
        ("Türkiye and Turkey are one country.", ["TR"]),
        # Guinea pig, Niger vs Nigeria, Dominica vs Dominican Republic, Congo basin
        ("The pilot was a Guinea pig for the sector.", []),
        ("Nigeria, not Niger, hosted the meeting.", ["NE", "NG"]),
        ("Providers in Nigeria issue badges.", ["NG"]),
        ("The Dominican Republic reformed its VET.", ["DO"]),
        ("Dominica reformed its VET.", ["DM"]),
        ("Forestry courses for the Congo basin.", []),
        # agreements, seats and addresses
        ("The Bologna Process introduced ECTS.", []),
        ("Under the Lisbon and Bologna strategies, reforms followed.", []),
        ("The Rome Communiqué of 2020 and the Copenhagen Process.", []),
        ("Europe 123, 570 01 Thessaloniki (Pylea), GREECE", []),
        ("Luxembourg: Publications Office of the European Union, 2022.", []),
        ("Its seat has been in Turin, Italy, since 1994.", []),
        ("A summit was held in Porto in 2021.", ["PT"]),
        # groupings and languages are not countries
        ("The EU, the Nordic countries and the Western Balkans, and Europe.", []),
        ("The guide is available in English and German.", []),
        ("It is rendered in Danish as 'mikroeksamensbeviser'.", []),
        ("In Finnish VET the units are modules.", ["FI"]),
        # aliases
        ("Czechia (the Czech Republic) has a register.", ["CZ"]),
        ("Holland and the Netherlands.", ["NL"]),
        ("The UK and Great Britain, and Britain.", ["GB"]),
        ("North Macedonia and Kosovo signed.", ["MK", "XK"]),
        ("Russia and South Korea.", ["KR", "RU"]),
        # adjectives and regions naming national bodies or systems
        ("The Swedish Retail and Wholesale Council", ["SE"]),
        ("Flemish providers and the Walloon agency", ["BE"]),
        ("Basque and Catalan centres", ["ES"]),
        ("Scottish and Welsh colleges", ["GB"]),
        ("Cedefop in Thessaloniki published it.", ["GR"]),
        ("Flanders and Wallonia", ["BE"]),
        ("The Quality and Qualifications Ireland agency; QQI alone.", ["IE"]),
        ("QQI validated the programme.", []),
        # all-caps headings
        ("MICROCREDENTIALS IN PORTUGAL AND SPAIN", ["ES", "PT"]),
        # years are not postcodes
        ("In 2022 Ukraine joined the EQF Advisory Group.", ["UA"]),
        # possessives, demonyms beyond Europe, cities and regions of one country
        ("New Zealand's register and Ireland’s framework", ["IE", "NZ"]),
        ("Kenyan, Rwandan and Uzbek providers", ["KE", "RW", "UZ"]),
        ("Colleges in Nairobi, Kuala Lumpur and São Paulo", ["BR", "KE", "MY"]),
        ("TAFE in Adelaide and the Northern Territory", ["AU"]),
        ("Pilots in New Jersey and Alabama", ["US"]),
        ("ETBs in Kerry and Wicklow", ["IE"]),
        # first names and surnames that are also places
        ("Adelaide Almeida of the welding federation spoke.", []),
        ("Senator John Kerry spoke.", []),
        ("Sofia University and the Sofia City of Knowledge cluster", ["BG"]),
        ("Anglo-Saxon countries", []),
        ("CONTACT US | ABOUT US | Follow us", []),
        # an acronym after a country opens a name, not an address line
        ("In Australia, RMIT University and Deakin run pilots.", ["AU"]),
        ("MBDA UK, KMF and GKN Aerospace", ["GB"]),
        ("Brussels, BELGIUM", ["BE"]),
        # institutions named "X de/di/del Place" are in that place; a person's name is not
        ("The Escola del Treball de Lleida and the Universidad de Salamanca", ["ES"]),
        ("Politecnico di Milano", ["IT"]),
        ("A portrait by Leonardo da Vinci.", []),
        # streets only with a house number; a heading's last word is not a first name
        ("High Street retailers in the UK train staff", ["GB"]),
        ("Start-ups in Tel Aviv and Haifa", ["IL"]),
        ("Avenue Louise 54, Brussels", []),
        ("Skills Summary\nIndia launched badges.", ["IN"]),
        # a capitalised qualifier before a place is no first name
        ("Colleges in Western Kenya and Northern India", ["IN", "KE"]),
        ("Greater Adelaide and Digital India", ["AU", "IN"]),
        # a city qualified by its state or country lies there; a list of cities is no qualifier
        ("MIT in Cambridge, Massachusetts, and Harvard in Cambridge, MA", ["US"]),
        ("London, Ontario and Perth, Scotland", ["CA", "GB"]),
        ("Paris, Berlin and Madrid", ["DE", "ES", "FR"]),
        # typographic apostrophes and local names
        ("Côte d’Ivoire and the Åland islands", ["AX", "CI"]),
        ("Courses in København and the Hague", ["DK", "NL"]),
        ("MICROCREDENTIALS IN THE US AND CANADA", ["CA", "US"]),
    ],
)
def test_trap_sentences(text: str, expected: list[str]) -> None:
    assert codes(text) == expected


def test_offsets_point_at_evidence() -> None:
    text = "Finnish VET and the Dutch system"
    found = find_countries(text)
    assert [(text[s:e], c) for s, e, c, _ in found] == [("Finnish", "FI"), ("Dutch", "NL")]


def test_component_writes_spans(nlp_pipeline) -> None:
    doc = nlp_pipeline("Welders in Portugal and the Czech Republic.")
    spans = doc.spans["countries"]
    assert [(s.text, s.label_) for s in spans] == [("Portugal", "PT"), ("Czech Republic", "CZ")]
    assert spans[0].start_char == 11
