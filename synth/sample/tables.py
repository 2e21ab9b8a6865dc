"""Tables of the sample generator (:mod:`synth.sample.generator`): public facts, calibration targets, value
domains and modelling assumptions.

* UN M49 continental region of every country code the generator uses (public facts);
* value counts of the real Victim-Perpetrator file, the calibration targets (reference doc ``ctdc-data.md``
  section 3);
* the value domains of the generated columns, and the corridor table (citizenship -> country of exploitation);
* the odds tables: the modelling assumptions behind the dependencies between attributes.
"""

from __future__ import annotations

import numpy as np

# ----------------------------------------------------------------------------------------------------------
# Public facts: UN M49 continental region of every country code the generator uses.
# ----------------------------------------------------------------------------------------------------------

UN_REGION: dict[str, str] = {
    # Africa
    "AGO": "Africa",
    "BEN": "Africa",
    "BFA": "Africa",
    "CIV": "Africa",
    "CMR": "Africa",
    "COD": "Africa",
    "DJI": "Africa",
    "EGY": "Africa",
    "ERI": "Africa",
    "ETH": "Africa",
    "GHA": "Africa",
    "GIN": "Africa",
    "KEN": "Africa",
    "LBY": "Africa",
    "MDG": "Africa",
    "MLI": "Africa",
    "MOZ": "Africa",
    "MWI": "Africa",
    "NER": "Africa",
    "NGA": "Africa",
    "SDN": "Africa",
    "SEN": "Africa",
    "SLE": "Africa",
    "SOM": "Africa",
    "TCD": "Africa",
    "TZA": "Africa",
    "UGA": "Africa",
    "ZAF": "Africa",
    "ZWE": "Africa",
    # Americas
    "ARG": "Americas",
    "BOL": "Americas",
    "BRA": "Americas",
    "COL": "Americas",
    "DOM": "Americas",
    "GTM": "Americas",
    "HND": "Americas",
    "HTI": "Americas",
    "MEX": "Americas",
    "PRY": "Americas",
    "SLV": "Americas",
    "USA": "Americas",
    "VEN": "Americas",
    # Asia (M49 places Turkey, Cyprus and the Caucasus in Western Asia, Kazakhstan in Central Asia)
    "AFG": "Asia",
    "ARE": "Asia",
    "ARM": "Asia",
    "AZE": "Asia",
    "BGD": "Asia",
    "CHN": "Asia",
    "GEO": "Asia",
    "IDN": "Asia",
    "IND": "Asia",
    "IRN": "Asia",
    "ISR": "Asia",
    "KAZ": "Asia",
    "KGZ": "Asia",
    "KHM": "Asia",
    "KWT": "Asia",
    "LAO": "Asia",
    "LBN": "Asia",
    "LKA": "Asia",
    "MMR": "Asia",
    "MYS": "Asia",
    "NPL": "Asia",
    "OMN": "Asia",
    "PAK": "Asia",
    "PHL": "Asia",
    "SAU": "Asia",
    "SYR": "Asia",
    "THA": "Asia",
    "TJK": "Asia",
    "TUR": "Asia",
    "UZB": "Asia",
    "VNM": "Asia",
    "YEM": "Asia",
    # Europe (M49 places the Russian Federation in Eastern Europe)
    "ALB": "Europe",
    "BGR": "Europe",
    "BLR": "Europe",
    "CZE": "Europe",
    "DEU": "Europe",
    "ESP": "Europe",
    "GBR": "Europe",
    "ITA": "Europe",
    "MDA": "Europe",
    "MKD": "Europe",
    "POL": "Europe",
    "PRT": "Europe",
    "ROU": "Europe",
    "RUS": "Europe",
    "SRB": "Europe",
    "UKR": "Europe",
    # Oceania
    "FJI": "Oceania",
}

#: Regions as the Victim-Perpetrator file reports them (Americas and Oceania merged); "" = unknown.
REGIONS: tuple[str, ...] = ("Africa", "Americas/Oceania", "Asia", "Europe", "")
_VP_REGION = {"Americas": "Americas/Oceania", "Oceania": "Americas/Oceania"}


def vp_region(iso3: str) -> str:
    """Region of an ISO3 code as the Victim-Perpetrator file reports it ("" for "" or an unknown code)."""
    region = UN_REGION.get(iso3, "")
    return _VP_REGION.get(region, region)


# ----------------------------------------------------------------------------------------------------------
# Calibration targets: value counts of the real Victim-Perpetrator file (reference doc section 3; "" = NULL).
# ----------------------------------------------------------------------------------------------------------

VP_COUNTS: dict[str, dict[str, int]] = {
    "yearRegister": {"2005-2013": 2531, "2014-2018": 6274, "2019": 2398, "2020": 2002, "2021-2022": 4335, "": 3655},
    "gender": {"Female": 9589, "Male": 7995, "": 3611},
    "majorityStatus": {"Adult": 16379, "Minor": 1212, "": 3604},
    "isForcedLabour": {"1": 12248, "": 8947},
    "isSexualExploit": {"1": 2775, "": 18420},
    "UN_COO_Region": {"Asia": 6139, "Europe": 5887, "Africa": 5282, "Americas/Oceania": 277, "": 3610},
    "UN_COE_Region": {"Europe": 6432, "Asia": 6281, "Africa": 4271, "Americas/Oceania": 212, "": 3999},
    "IP_RecruiterBroker": {"1": 11865, "": 9330},
    "IP_TransactionProcess": {"1": 7344, "": 13851},
    "IP_ControlAbuseKidnap": {"1": 2078, "": 19117},
    "IP_Exploiter": {"1": 9458, "": 11737},
    "IP_Relation": {
        "StrangerUnknownOther": 8321,
        "FriendAcquaintance": 4617,
        "FamilyIntimatePartner": 967,
        "FriendAcquaintance;StrangerUnknownOther": 588,
        "FamilyIntimatePartner;StrangerUnknownOther": 73,
        "FamilyIntimatePartner;FriendAcquaintance": 6,
        "": 6623,
    },
    "IP_Gender": {"Male": 9820, "Female": 3515, "Female;Male": 2452, "": 5408},
    "IP_ageBroad": {
        "39--47": 1293,
        "30--38": 1196,
        "48+": 356,
        "0--29": 306,
        "30--38;39--47": 18,
        "0--29;39--47": 18,
        "0--29;30--38": 8,
        "39--47;48+": 4,
        "30--38;48+": 3,
        "": 17993,
    },
    "IP_citizen_UNRegion": {
        "Asia": 5069,
        "Europe": 4368,
        "Africa": 3799,
        "Africa;Asia": 420,
        "Asia;Europe": 382,
        "Americas/Oceania": 200,
        "Americas/Oceania;Asia": 6,
        "Africa;Americas/Oceania": 4,
        "Americas/Oceania;Europe": 1,
        "": 6946,
    },
    "IP_PayMoney": {"No": 11075, "Yes": 3136, "No;Yes": 944, "": 6040},
}

#: Year bands of the Victim-Perpetrator file.
YEAR_BANDS: dict[str, tuple[int, int]] = {
    "2005-2013": (2005, 2013),
    "2014-2018": (2014, 2018),
    "2019": (2019, 2019),
    "2020": (2020, 2020),
    "2021-2022": (2021, 2022),
}
#: Registration years (plain year strings), then "" for unknown.
YEARS: tuple[str, ...] = tuple(str(y) for y in range(2005, 2023)) + ("",)

# ----------------------------------------------------------------------------------------------------------
# Value domains of the generated columns.
# ----------------------------------------------------------------------------------------------------------

#: Perpetrator columns: they differ between the rows of one victim.
PERP_COLUMNS: tuple[str, ...] = (
    "perpGender",
    "perpAgeBroad",
    "perpCitizenRegion",
    "perpRelation",
    "perpRole",
    "perpPaid",
)
#: All generated columns in file order: the victim columns, then the perpetrator columns.
COLUMNS: tuple[str, ...] = (
    "case_id",
    "yearRegister",
    "gender",
    "ageBroad",
    "majorityStatus",
    "citizenship",
    "CountryOfExploitation",
    "isForcedLabour",
    "isSexualExploit",
    "isOtherExploit",
    "typeOfLabour",
    "meansOfControl",
) + PERP_COLUMNS
#: Columns whose cells may hold several values joined by MULTI_DELIMITER.
MULTI_VALUE_COLUMNS: tuple[str, ...] = ("meansOfControl",) + PERP_COLUMNS
MULTI_DELIMITER = ";"

GENDERS = ("Female", "Male", "Transgender", "")
AGES = ("0--8", "09--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+", "")
MAJORITY = ("Adult", "Minor", "")
#: Exploitation type of a victim: labour only, sexual only, both, other only, none recorded.
EXPLOIT = ("L", "S", "LS", "O", "")
SECTORS = ("Agriculture", "Begging", "Construction", "DomesticWork", "Fishing", "Hospitality", "Manufacturing", "")
MEANS = (
    "DebtBondage",
    "Drugs",
    "ExcessiveHours",
    "FalsePromises",
    "PhysicalAbuse",
    "PsychologicalAbuse",
    "RestrictsMovement",
    "SexualAbuse",
    "Threats",
    "WithholdsDocuments",
)
ROLES = ("ControlAbuseKidnap", "Exploiter", "RecruiterBroker", "TransactionProcess")
#: Domains of the single-valued perpetrator columns (sorted, so joined sets come out sorted).
PERP_DOMAINS: dict[str, tuple[str, ...]] = {
    "perpGender": ("Female", "Male"),
    "perpAgeBroad": ("0--29", "30--38", "39--47", "48+"),
    "perpCitizenRegion": REGIONS[:4],
    "perpRelation": ("FamilyIntimatePartner", "FriendAcquaintance", "StrangerUnknownOther"),
    "perpPaid": ("No", "Yes"),
}
#: Published column each perpetrator column is calibrated to.
PERP_TARGET = {
    "perpGender": "IP_Gender",
    "perpAgeBroad": "IP_ageBroad",
    "perpCitizenRegion": "IP_citizen_UNRegion",
    "perpRelation": "IP_Relation",
    "perpPaid": "IP_PayMoney",
}
ROLE_TARGET = {role: f"IP_{role}" for role in ROLES}

# ----------------------------------------------------------------------------------------------------------
# Modelling assumptions (odds tables). Rows follow the domain order of the conditioning factor, columns the
# domain order of the drawn attribute.
# ----------------------------------------------------------------------------------------------------------

#: Share of partial records (more missing values everywhere).
PARTIAL_SHARE = 0.2
#: Distribution of the number of perpetrators 0..6 (mean about 2.2 among victims with any, as in the
#: release note: >17,000 victims, >37,000 perpetrators; 8.6% of VP rows have no perpetrator cell at all).
N_PERPS = np.array([0.09, 0.36, 0.25, 0.14, 0.09, 0.045, 0.025])
N_PERPS_PARTIAL_ODDS = np.array([6.0, 1, 1, 1, 1, 1, 1])

#: Seed of the (citizenship region, exploitation region) joint, rows/columns in REGIONS order. The known
#: block follows reference 6.4 (Europe 4,720 of 5,049 stay, Asia 4,017 stay / 992 to Europe / 227 to Africa,
#: Africa 3,279 stay / 916 to Asia); small off-diagonal cells and the unknown row/column are assumptions.
REGION_PAIR_SEED = np.array(
    [
        [3279, 0, 916, 60, 1000],
        [5, 130, 0, 20, 120],
        [227, 0, 4017, 992, 900],
        [29, 0, 300, 4720, 850],
        [700, 70, 1000, 650, 1100],
    ],
    dtype=float,
)
#: Target split of VP's "no type recorded" victims (6,519) into other exploitation (assumed 900) and none.
EXPLOIT_TARGET = {"L": 12248 - 347, "S": 2775 - 347, "LS": 347, "O": 900, "": 21195 - 12248 - 2775 + 347 - 900}
#: Transgender victims: rare (VP suppresses the category; assumed 40 of 21,195).
GENDER_TARGET = {"Female": 9589, "Male": 7995, "Transgender": 40, "": 3611}

#: Corridors: citizenship, country of exploitation ("" = unknown), relative weight within the region pair,
#: odds multipliers for a female victim, for sexual and for other exploitation, and a typical sector.
CORRIDORS: tuple[tuple[str, str, float, float, float, float, str], ...] = (
    # Europe -> Europe
    ("UKR", "UKR", 2000, 1.0, 0.8, 1, ""),
    ("UKR", "RUS", 900, 0.4, 0.3, 1, "Construction"),
    ("UKR", "POL", 400, 0.7, 0.5, 1, "Agriculture"),
    ("MDA", "MDA", 300, 3.0, 3.0, 1, ""),
    ("MDA", "RUS", 200, 0.5, 0.3, 1, "Construction"),
    ("MDA", "UKR", 150, 1.5, 2.0, 1, ""),
    ("BLR", "RUS", 250, 0.6, 0.4, 1, "Construction"),
    ("BLR", "BLR", 100, 1.5, 2.0, 1, ""),
    ("UKR", "CZE", 80, 0.8, 0.5, 1, "Manufacturing"),
    ("UKR", "DEU", 60, 1.5, 1.5, 1, ""),
    ("UKR", "ITA", 40, 3.0, 1.0, 1, "DomesticWork"),
    ("MDA", "ITA", 30, 3.0, 1.0, 1, "DomesticWork"),
    ("ALB", "ALB", 60, 2.5, 3.0, 1, ""),
    ("ROU", "ROU", 40, 2.0, 3.0, 1, ""),
    ("ROU", "ITA", 40, 1.0, 1.0, 1, "Agriculture"),
    ("BGR", "DEU", 30, 1.0, 1.5, 1, ""),
    ("SRB", "SRB", 30, 2.0, 2.0, 1, ""),
    ("MKD", "MKD", 20, 2.0, 2.0, 1, ""),
    ("RUS", "RUS", 80, 1.0, 1.0, 1, ""),
    # Europe -> Asia / Africa
    ("UKR", "TUR", 90, 2.0, 2.0, 1, ""),
    ("MDA", "TUR", 60, 2.5, 3.0, 1, ""),
    ("UKR", "KAZ", 40, 0.5, 0.5, 1, "Construction"),
    ("RUS", "KAZ", 20, 1.0, 1.0, 1, ""),
    ("UKR", "ISR", 40, 1.5, 1.5, 1, ""),
    ("BLR", "TUR", 20, 2.0, 2.0, 1, ""),
    ("UKR", "ARE", 30, 2.0, 1.5, 1, "Hospitality"),
    ("UKR", "LBY", 10, 0.3, 0.5, 1, ""),
    ("RUS", "EGY", 10, 1.0, 1.0, 1, ""),
    ("BLR", "LBY", 5, 0.3, 0.5, 1, ""),
    # Asia -> Asia
    ("MMR", "THA", 700, 0.6, 0.5, 1, "Fishing"),
    ("MMR", "IDN", 300, 0.05, 0.1, 1, "Fishing"),
    ("MMR", "CHN", 150, 6.0, 1.0, 8, ""),
    ("IDN", "MYS", 350, 3.0, 0.5, 1, "DomesticWork"),
    ("IDN", "IDN", 200, 1.0, 1.0, 1, ""),
    ("PHL", "PHL", 300, 1.5, 1.5, 2, ""),
    ("PHL", "MYS", 150, 2.0, 1.0, 1, "DomesticWork"),
    ("PHL", "SAU", 150, 4.0, 0.5, 1, "DomesticWork"),
    ("KHM", "THA", 300, 0.6, 0.5, 1, "Fishing"),
    ("KHM", "KHM", 150, 1.5, 1.5, 1, ""),
    ("KHM", "MYS", 60, 1.0, 1.0, 1, ""),
    ("VNM", "CHN", 150, 6.0, 1.0, 8, ""),
    ("VNM", "VNM", 80, 1.5, 1.5, 1, ""),
    ("LAO", "THA", 150, 1.5, 1.5, 1, ""),
    ("THA", "THA", 80, 1.0, 1.0, 1, ""),
    ("KGZ", "KAZ", 60, 0.5, 0.5, 1, "Agriculture"),
    ("UZB", "KAZ", 80, 0.5, 0.3, 1, "Construction"),
    ("AFG", "IRN", 60, 0.4, 0.5, 1, "Construction"),
    ("AFG", "AFG", 40, 1.0, 1.0, 1, "Begging"),
    ("BGD", "IND", 80, 1.0, 1.0, 1, ""),
    ("NPL", "IND", 80, 2.0, 2.0, 1, ""),
    ("BGD", "BGD", 60, 1.0, 1.0, 1, "Manufacturing"),
    ("IDN", "SAU", 100, 5.0, 0.3, 1, "DomesticWork"),
    ("LKA", "ARE", 40, 3.0, 0.5, 1, "DomesticWork"),
    ("IND", "ARE", 50, 0.3, 0.3, 1, "Construction"),
    ("PAK", "PAK", 40, 1.0, 1.0, 1, "Agriculture"),
    ("KAZ", "KAZ", 40, 1.0, 1.0, 1, ""),
    # Asia -> Europe / Africa
    ("KGZ", "RUS", 300, 0.4, 0.3, 1, "Construction"),
    ("UZB", "RUS", 300, 0.2, 0.2, 1, "Construction"),
    ("TJK", "RUS", 200, 0.2, 0.2, 1, "Construction"),
    ("KAZ", "RUS", 60, 1.0, 1.0, 1, ""),
    ("AZE", "RUS", 30, 0.5, 0.5, 1, ""),
    ("ARM", "RUS", 30, 0.5, 0.5, 1, ""),
    ("GEO", "RUS", 20, 0.5, 0.5, 1, ""),
    ("VNM", "GBR", 40, 0.5, 0.5, 1, "Manufacturing"),
    ("BGD", "LBY", 120, 0.05, 0.1, 1, "Construction"),
    ("PAK", "LBY", 40, 0.1, 0.1, 1, "Construction"),
    ("SYR", "LBY", 30, 0.5, 0.5, 1, ""),
    # Africa -> Africa
    ("NGA", "LBY", 500, 1.0, 3.0, 1, ""),
    ("NGA", "NGA", 400, 1.5, 1.5, 1, ""),
    ("NGA", "MLI", 300, 5.0, 6.0, 1, ""),
    ("NER", "LBY", 200, 0.3, 0.5, 1, "Construction"),
    ("GHA", "GHA", 250, 0.7, 0.5, 1, "Fishing"),
    ("GHA", "LBY", 80, 0.5, 1.0, 1, ""),
    ("SEN", "MLI", 60, 1.0, 1.0, 1, ""),
    ("GIN", "MLI", 80, 1.0, 1.5, 1, ""),
    ("MLI", "MLI", 60, 1.0, 1.0, 1, ""),
    ("BFA", "CIV", 60, 0.7, 0.5, 1, "Agriculture"),
    ("CIV", "CIV", 50, 1.0, 1.0, 1, ""),
    ("CMR", "NGA", 60, 1.5, 1.5, 1, ""),
    ("BEN", "NGA", 50, 1.5, 1.0, 1, "DomesticWork"),
    ("ETH", "DJI", 120, 1.0, 1.0, 1, ""),
    ("ETH", "SDN", 80, 1.0, 1.0, 1, ""),
    ("ETH", "ETH", 60, 1.0, 1.0, 2, ""),
    ("SOM", "KEN", 40, 1.0, 1.0, 1, ""),
    ("UGA", "KEN", 80, 1.5, 1.0, 1, ""),
    ("KEN", "KEN", 80, 1.5, 1.5, 1, ""),
    ("ZWE", "ZAF", 100, 1.0, 1.0, 1, "Agriculture"),
    ("MOZ", "ZAF", 80, 1.0, 1.0, 1, "Agriculture"),
    ("MWI", "ZAF", 50, 1.0, 1.0, 1, ""),
    ("TCD", "LBY", 80, 0.5, 0.5, 1, ""),
    ("SDN", "LBY", 100, 0.3, 0.5, 1, ""),
    ("EGY", "EGY", 40, 1.0, 1.0, 2, ""),
    ("TZA", "TZA", 40, 1.5, 1.0, 1, "DomesticWork"),
    ("COD", "COD", 60, 1.0, 1.0, 3, ""),
    # Africa -> Asia / Europe
    ("ETH", "SAU", 250, 4.0, 0.3, 1, "DomesticWork"),
    ("KEN", "SAU", 150, 4.0, 0.3, 1, "DomesticWork"),
    ("UGA", "SAU", 100, 4.0, 0.3, 1, "DomesticWork"),
    ("KEN", "ARE", 80, 2.0, 0.5, 1, "Hospitality"),
    ("UGA", "OMN", 60, 4.0, 0.3, 1, "DomesticWork"),
    ("ETH", "LBN", 80, 5.0, 0.3, 1, "DomesticWork"),
    ("SLE", "LBN", 40, 5.0, 0.5, 1, "DomesticWork"),
    ("GHA", "KWT", 60, 4.0, 0.3, 1, "DomesticWork"),
    ("MDG", "KWT", 40, 5.0, 0.3, 1, "DomesticWork"),
    ("ETH", "YEM", 60, 0.3, 0.3, 1, ""),
    ("SOM", "YEM", 30, 0.5, 0.5, 1, ""),
    ("NGA", "ITA", 30, 4.0, 6.0, 1, ""),
    ("NGA", "ESP", 10, 4.0, 6.0, 1, ""),
    ("ERI", "ITA", 10, 1.0, 1.0, 1, ""),
    ("GHA", "DEU", 5, 1.0, 1.0, 1, ""),
    ("CMR", "RUS", 5, 1.0, 1.0, 1, ""),
    # Americas / Oceania
    ("GTM", "MEX", 30, 1.0, 1.0, 1, "Agriculture"),
    ("HND", "MEX", 25, 1.0, 1.5, 1, ""),
    ("SLV", "GTM", 10, 1.5, 1.5, 1, ""),
    ("VEN", "COL", 25, 2.0, 2.0, 1, ""),
    ("HTI", "DOM", 20, 1.0, 1.0, 1, ""),
    ("BOL", "ARG", 10, 1.0, 0.5, 1, "Manufacturing"),
    ("PRY", "ARG", 5, 1.5, 1.0, 1, ""),
    ("MEX", "MEX", 10, 1.5, 1.5, 1, ""),
    ("MEX", "USA", 8, 0.5, 0.5, 1, "Agriculture"),
    ("FJI", "FJI", 5, 1.0, 1.0, 1, ""),
    ("BRA", "PRT", 8, 1.5, 1.5, 1, ""),
    ("COL", "ESP", 6, 2.0, 2.0, 1, ""),
    ("PRY", "ESP", 4, 2.0, 2.0, 1, ""),
    ("DOM", "ESP", 2, 2.0, 2.0, 1, ""),
    ("BRA", "AGO", 5, 1.0, 1.0, 1, ""),
    # unknown citizenship
    ("", "UKR", 400, 1, 1, 1, ""),
    ("", "RUS", 150, 1, 1, 1, ""),
    ("", "POL", 50, 1, 1, 1, ""),
    ("", "MDA", 40, 1, 1, 1, ""),
    ("", "THA", 200, 1, 1, 1, ""),
    ("", "IDN", 150, 1, 1, 1, ""),
    ("", "MYS", 100, 1, 1, 1, ""),
    ("", "PHL", 100, 1, 1, 1, ""),
    ("", "SAU", 80, 1, 1, 1, ""),
    ("", "TUR", 60, 1, 1, 1, ""),
    ("", "KAZ", 40, 1, 1, 1, ""),
    ("", "LBY", 300, 1, 1, 1, ""),
    ("", "MLI", 150, 1, 1, 1, ""),
    ("", "NGA", 100, 1, 1, 1, ""),
    ("", "ZAF", 80, 1, 1, 1, ""),
    ("", "NER", 60, 1, 1, 1, ""),
    ("", "DJI", 50, 1, 1, 1, ""),
    ("", "MEX", 30, 1, 1, 1, ""),
    ("", "GTM", 10, 1, 1, 1, ""),
    ("", "USA", 10, 1, 1, 1, ""),
    ("", "COL", 10, 1, 1, 1, ""),
    # unknown country of exploitation
    ("UKR", "", 500, 1, 1, 1, ""),
    ("MDA", "", 150, 1, 1, 1, ""),
    ("BLR", "", 80, 1, 1, 1, ""),
    ("ALB", "", 30, 1, 1, 1, ""),
    ("PHL", "", 200, 1, 1, 1, ""),
    ("MMR", "", 150, 1, 1, 1, ""),
    ("IDN", "", 150, 1, 1, 1, ""),
    ("KHM", "", 80, 1, 1, 1, ""),
    ("UZB", "", 80, 1, 1, 1, ""),
    ("KGZ", "", 60, 1, 1, 1, ""),
    ("VNM", "", 60, 1, 1, 1, ""),
    ("NGA", "", 400, 1, 1, 1, ""),
    ("ETH", "", 200, 1, 1, 1, ""),
    ("NER", "", 100, 1, 1, 1, ""),
    ("GHA", "", 100, 1, 1, 1, ""),
    ("KEN", "", 60, 1, 1, 1, ""),
    ("GIN", "", 50, 1, 1, 1, ""),
    ("GTM", "", 30, 1, 1, 1, ""),
    ("HND", "", 30, 1, 1, 1, ""),
    ("VEN", "", 30, 1, 1, 1, ""),
    ("SLV", "", 10, 1, 1, 1, ""),
    ("", "", 1, 1, 1, 1, ""),
)

#: Exploitation-type odds (EXPLOIT order) by victim gender (GENDERS order); reference 6.4: females 58%
#: labour / 24% sexual, males 71% labour / 0.5% sexual.
EXPLOIT_BY_GENDER = np.array(
    [
        [0.55, 0.21, 0.03, 0.04, 0.17],
        [0.70, 0.004, 0.001, 0.03, 0.27],
        [0.25, 0.55, 0.05, 0.02, 0.13],
        [0.30, 0.10, 0.01, 0.04, 0.55],
    ]
)
#: Majority-status odds (MAJORITY order) by exploitation type: sexual and other exploitation skew younger.
MAJORITY_BY_EXPLOIT = np.array([[1, 0.6, 1], [1, 3.0, 1], [1, 1.5, 1], [1, 2.5, 1], [1, 1.0, 2]])
#: Majority-status odds by whether the gender is unknown / known: records missing one often miss the other.
MAJORITY_BY_GENDER_KNOWN = np.array([[1, 1, 4.0], [1, 1, 1]])
#: Age band probabilities (AGES order) given majority status and whether the exploitation is sexual.
AGE_GIVEN = {
    ("Minor", False): [0.12, 0.80, 0, 0, 0, 0, 0, 0, 0, 0.08],
    ("Minor", True): [0.04, 0.90, 0, 0, 0, 0, 0, 0, 0, 0.06],
    ("Adult", False): [0, 0, 0.06, 0.10, 0.12, 0.12, 0.28, 0.18, 0.10, 0.04],
    ("Adult", True): [0, 0, 0.16, 0.20, 0.18, 0.13, 0.20, 0.07, 0.02, 0.04],
    ("", False): [0] * 9 + [1],
    ("", True): [0] * 9 + [1],
}
#: Sector odds (SECTORS order) of labour cases by gender; "" = sector not recorded.
SECTOR_BY_GENDER = np.array(
    [
        [0.15, 0.04, 0.02, 0.40, 0.02, 0.15, 0.15, 0.30],
        [0.25, 0.03, 0.35, 0.03, 0.12, 0.06, 0.12, 0.30],
        [0.10, 0.05, 0.05, 0.20, 0.02, 0.40, 0.10, 0.30],
        [0.20, 0.04, 0.18, 0.20, 0.07, 0.10, 0.13, 0.60],
    ]
)
SECTOR_HINT_ODDS = 6.0
SECTOR_MINOR_ODDS = np.array([1.5, 6.0, 0.3, 1.0, 1.0, 0.5, 1.0, 1.0])
SECTOR_SEXUAL_ODDS = np.array([0.5, 1.0, 0.3, 1.0, 0.3, 4.0, 1.0, 1.0])
#: Year-band odds (bands in YEAR_BANDS order, then "") by region of exploitation (REGIONS order).
YEAR_BY_REGION = np.array(
    [
        [0.3, 0.6, 1.6, 1.0, 2.5, 1],
        [1.5, 1.0, 1.0, 1.0, 0.5, 1],
        [1.0, 1.0, 1.0, 1.3, 1.2, 1],
        [1.5, 1.5, 1.2, 1.0, 0.3, 1],
        [1.0, 1.0, 1.0, 1.0, 1.0, 1.5],
    ]
)
#: Relative weight of the years inside each band.
YEAR_WEIGHTS: dict[str, list[float]] = {
    "2005-2013": [1, 1, 1.5, 2, 2, 2.5, 3, 3.5, 4],
    "2014-2018": [3, 4, 5, 6, 6],
    "2019": [1],
    "2020": [1],
    "2021-2022": [1, 1.3],
}
#: Probability of each means of control (MEANS order) by exploitation type (EXPLOIT order).
MEANS_BY_EXPLOIT = np.array(
    [
        [0.25, 0.01, 0.35, 0.35, 0.15, 0.25, 0.25, 0.02, 0.30, 0.30],
        [0.20, 0.12, 0.15, 0.35, 0.35, 0.40, 0.35, 0.40, 0.40, 0.20],
        [0.25, 0.08, 0.30, 0.35, 0.30, 0.35, 0.30, 0.30, 0.40, 0.25],
        [0.05, 0.02, 0.10, 0.20, 0.15, 0.25, 0.25, 0.10, 0.20, 0.10],
        [0.05, 0.01, 0.05, 0.10, 0.05, 0.08, 0.05, 0.02, 0.08, 0.05],
    ]
)
MEANS_PARTIAL_FACTOR = 0.3
#: Odds of "no exploitation type recorded" in a partial record.
EXPLOIT_PARTIAL_MISSING_ODDS = 3.0
#: Role odds (ROLES order) by exploitation type: sexual cases have more controllers/abusers and transporters.
ROLE_BY_EXPLOIT = np.array(
    [
        [1.0, 1.3, 1.0, 1.0],
        [2.5, 1.0, 1.0, 1.3],
        [2.0, 1.2, 1.0, 1.2],
        [1.5, 0.8, 1.0, 1.0],
        [1.0, 0.8, 1.0, 1.0],
    ]
)
#: Odds of a role per perpetrator count 0..6 (none without perpetrators; more perpetrators, more roles).
ROLE_BY_N_PERPS = np.where(np.arange(len(N_PERPS)) > 0, 0.6 + 0.4 * np.arange(len(N_PERPS)), 0.0)
#: Probability that a perpetrator other than the one carrying a role of the victim's set also has it.
ROLE_SHARED = 0.25
#: Odds multipliers of perpetrator value sets that contain ...
PERP_FEMALE_IF_SEXUAL = 3.0  # ... a female perpetrator, in sexual exploitation cases
PERP_FAMILY_IF_MINOR = 4.0  # ... a family member / intimate partner, for minors
PERP_PAID_IF_LABOUR = 1.8  # ... a perpetrator the victim paid, in labour cases
PERP_REGION_OF_CITIZENSHIP = 15.0  # ... the victim's region of citizenship
PERP_REGION_OF_EXPLOITATION = 4.0  # ... the victim's region of exploitation
PARTIAL_MISSING_ODDS = 6.0
#: Probability that a perpetrator beyond those covering the victim's value set has the value missing.
PERP_EXTRA_MISSING = {
    "perpGender": 0.1,
    "perpAgeBroad": 0.5,
    "perpCitizenRegion": 0.2,
    "perpRelation": 0.2,
    "perpPaid": 0.2,
}
