"""Seeded generator of realistic *private* case records, so the project runs without an external file.

The records imitate the IOM/CTDC Global Victim-Perpetrator data in **long format**: one row per
victim-perpetrator pair, victim attributes repeated on each of the victim's rows, and one row with
empty perpetrator cells for a victim without perpetrator information. ``case_id`` identifies the victim.

How it is generated (all vectorised with numpy; one ``numpy.random.Generator`` seeded by ``seed``):

* Every victim-level attribute is drawn from a conditional distribution given attributes drawn before it
  (its *group*). The conditional table starts from a *seed* of relative odds (the product of one odds
  table per conditioning factor: this is where the dependencies live, e.g. sexual exploitation
  raises the odds of a female victim) and is then *calibrated* by iterative proportional fitting, so
  that over the realised groups the expected marginal equals the published figure (reference doc
  ``ctdc-data.md`` sections 3 and 6.4). Dependencies are kept as odds ratios; marginals are exact in
  expectation.
* Countries come from a corridor table (citizenship -> country of exploitation). The UN region pair is
  drawn first (calibrated to both published region marginals and to the intra-regional shares in 6.4),
  then a corridor within the pair.
* Perpetrator columns are drawn top-down: first the victim-level *set* of values (what the published
  file shows, e.g. ``Female;Male``), calibrated like the victim attributes, with sets larger than the
  number of perpetrators impossible; then every perpetrator gets one value so that the set is covered.

A latent "partial record" flag (about one case in five) raises the odds of missing values in every
column, which reproduces the co-missingness of real case files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import comb

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
    "perpGender",
    "perpAgeBroad",
    "perpCitizenRegion",
    "perpRelation",
    "perpRole",
    "perpPaid",
)
#: Perpetrator columns: they differ between the rows of one victim.
PERP_COLUMNS: tuple[str, ...] = (
    "perpGender",
    "perpAgeBroad",
    "perpCitizenRegion",
    "perpRelation",
    "perpRole",
    "perpPaid",
)
#: Columns whose cells may hold several values joined by MULTI_DELIMITER.
MULTI_VALUE_COLUMNS: tuple[str, ...] = ("meansOfControl",) + PERP_COLUMNS
MULTI_DELIMITER = ";"

GENDERS = ("Female", "Male", "Transgender", "")
AGES = ("0--8", "09--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+", "")
MAJORITY = ("Adult", "Minor", "")
#: Exploitation type of a victim: labour only, sexual only, both, other only, none recorded.
EXPLOIT = ("L", "S", "LS", "O", "")
_LABOUR, _SEXUAL = [EXPLOIT.index("L"), EXPLOIT.index("LS")], [EXPLOIT.index("S"), EXPLOIT.index("LS")]
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
YEAR_WEIGHTS = {
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


# ----------------------------------------------------------------------------------------------------------
# Calibrated conditional draws.
# ----------------------------------------------------------------------------------------------------------


def shares(counts: Mapping[str, float], domain: Sequence[str]) -> np.ndarray:
    """Counts keyed by value, as shares in ``domain`` order (values missing from ``counts`` get 0)."""
    vec = np.array([float(counts.get(v, 0)) for v in domain])
    return vec / vec.sum()


def ipf(
    seed: np.ndarray, row_totals: np.ndarray, col_totals: np.ndarray, tol: float = 1e-10, max_iter: int = 2000
) -> np.ndarray:
    """Iterative proportional fitting: scale rows and columns of ``seed`` to the given totals.

    Zero cells stay zero (structural zeros). Raises ValueError when the totals cannot be reached.
    """
    table = np.asarray(seed, dtype=float) * (np.asarray(row_totals, float)[:, None] > 0)
    for _ in range(max_iter):
        rs = table.sum(axis=1)
        table = table * np.divide(row_totals, rs, out=np.zeros_like(rs), where=rs > 0)[:, None]
        cs = table.sum(axis=0)
        if np.any((cs == 0) & (col_totals > 0)):
            raise ValueError("calibration infeasible: a value with a positive target has no admissible group")
        table = table * np.divide(col_totals, cs, out=np.zeros_like(cs), where=cs > 0)[None, :]
        if np.abs(table.sum(axis=1) - row_totals).max() <= tol * max(1.0, float(np.sum(row_totals))):
            return table
    raise ValueError("calibration did not converge: the odds tables contradict the targets")


def factor_seed(factors: Sequence[np.ndarray]) -> np.ndarray:
    """Seed odds of every combined group: the product of one odds table (levels x values) per factor.

    Group g of factors with level counts (n_1, ..., n_k) is the mixed-radix number of its levels, the
    first factor most significant (as :func:`group_index` computes it).
    """
    seed = np.ones((1, factors[0].shape[1]))
    for f in factors:
        seed = (seed[:, None, :] * np.asarray(f, float)[None, :, :]).reshape(-1, f.shape[1])
    return seed


def group_index(codes: Sequence[np.ndarray], sizes: Sequence[int]) -> np.ndarray:
    """Mixed-radix group number of per-record factor levels (first factor most significant)."""
    g = np.zeros(len(codes[0]), dtype=np.int64)
    for c, size in zip(codes, sizes, strict=False):
        g = g * size + c
    return g


def draw_rows(rng: np.random.Generator, probs: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Draw one value code per record from row ``probs[groups[i]]`` (inverse CDF, one uniform per record)."""
    u = rng.random(groups.size)
    cum = np.cumsum(probs, axis=1)
    cum = cum / np.where(cum[:, -1:] > 0, cum[:, -1:], 1.0)
    out = np.empty(groups.size, dtype=np.int64)
    order = np.argsort(groups, kind="stable")
    bounds = np.flatnonzero(np.diff(groups[order])) + 1
    for idx in np.split(order, bounds):
        if idx.size:
            out[idx] = np.searchsorted(cum[groups[idx[0]]], u[idx], side="right")
    return out


def draw_calibrated(
    rng: np.random.Generator, levels: Sequence[np.ndarray], factors: Sequence[np.ndarray], target: np.ndarray
) -> np.ndarray:
    """Draw value codes given factor levels, with odds from ``factors`` calibrated to marginal ``target``."""
    sizes = [f.shape[0] for f in factors]
    groups = group_index(levels, sizes)
    counts = np.bincount(groups, minlength=int(np.prod(sizes))).astype(float)
    fitted = ipf(factor_seed(factors), counts, target * groups.size)
    return draw_rows(rng, fitted, groups)


def _missing_odds(domain: Sequence[str], odds: float) -> np.ndarray:
    """Two-level factor (complete, partial record): a partial record multiplies the odds of "" by ``odds``."""
    return np.vstack([np.ones(len(domain)), np.where(np.asarray(domain) == "", odds, 1.0)])


def _indicator(codes: np.ndarray, members: Sequence[int]) -> np.ndarray:
    """1 where a code is one of ``members``, else 0 (a two-level factor)."""
    return np.isin(codes, members).astype(np.int64)


# ----------------------------------------------------------------------------------------------------------
# Victims.
# ----------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _corridor_arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(region pair x corridor probabilities, corridor x gender odds, corridor x exploitation-type odds)."""
    pair = np.array(
        [REGIONS.index(vp_region(c)) * len(REGIONS) + REGIONS.index(vp_region(e)) for c, e, *_ in CORRIDORS]
    )
    weight = np.array([c[2] for c in CORRIDORS], dtype=float)
    probs = np.zeros((len(REGIONS) ** 2, len(CORRIDORS)))
    probs[pair, np.arange(len(CORRIDORS))] = weight
    probs /= np.where(probs.sum(axis=1, keepdims=True) > 0, probs.sum(axis=1, keepdims=True), 1.0)
    female = np.array([c[3] for c in CORRIDORS])
    gender_odds = np.column_stack([female, np.ones_like(female), np.ones_like(female), np.ones_like(female)])
    sexual, other = np.array([c[4] for c in CORRIDORS]), np.array([c[5] for c in CORRIDORS])
    exploit_odds = np.column_stack([np.ones_like(sexual), sexual, sexual, other, np.ones_like(sexual)])
    return probs, gender_odds, exploit_odds


def region_pair_target() -> np.ndarray:
    """Joint shares of (citizenship region, exploitation region), REGIONS x REGIONS, flattened row-major.

    The seed (reference 6.4 flows plus assumptions) fitted to both published region marginals.
    """
    rows = shares(VP_COUNTS["UN_COO_Region"], REGIONS)
    cols = shares(VP_COUNTS["UN_COE_Region"], REGIONS)
    return ipf(REGION_PAIR_SEED, rows, cols).ravel()


def _draw_victims(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Victim-level value codes (one entry per victim) for every victim attribute."""
    partial = (rng.random(n) < PARTIAL_SHARE).astype(np.int64)
    pair_missing = np.array([(a == "") + (b == "") for a in REGIONS for b in REGIONS])
    pair_factor = np.vstack([np.ones(pair_missing.size), PARTIAL_MISSING_ODDS**pair_missing])
    pair_target = region_pair_target()
    corridor_probs, corridor_gender, corridor_exploit = _corridor_arrays()
    if np.any((pair_target > 0) & (corridor_probs.sum(axis=1) == 0)):
        raise ValueError("a region pair with a positive share has no corridor in CORRIDORS")
    pair = draw_calibrated(rng, [partial], [pair_factor], pair_target)
    corridor = draw_rows(rng, corridor_probs, pair)

    gender = draw_calibrated(
        rng,
        [corridor, partial],
        [corridor_gender, _missing_odds(GENDERS, PARTIAL_MISSING_ODDS)],
        shares(GENDER_TARGET, GENDERS),
    )
    exploit_partial = _missing_odds(EXPLOIT, EXPLOIT_PARTIAL_MISSING_ODDS)
    exploit = draw_calibrated(
        rng,
        [gender, corridor, partial],
        [EXPLOIT_BY_GENDER, corridor_exploit, exploit_partial],
        shares(EXPLOIT_TARGET, EXPLOIT),
    )
    gender_known = 1 - _indicator(gender, [GENDERS.index("")])
    majority = draw_calibrated(
        rng,
        [exploit, gender_known, partial],
        [MAJORITY_BY_EXPLOIT, MAJORITY_BY_GENDER_KNOWN, _missing_odds(MAJORITY, PARTIAL_MISSING_ODDS)],
        shares(VP_COUNTS["majorityStatus"], MAJORITY),
    )
    sexual = _indicator(exploit, _SEXUAL)
    age_table = np.array([AGE_GIVEN[(m, s)] for m in MAJORITY for s in (False, True)], dtype=float)
    age = draw_rows(rng, age_table, majority * 2 + sexual)

    coe_region = pair % len(REGIONS)
    bands = tuple(YEAR_BANDS) + ("",)
    band = draw_calibrated(
        rng,
        [coe_region, partial],
        [YEAR_BY_REGION, _missing_odds(bands, PARTIAL_MISSING_ODDS)],
        shares(VP_COUNTS["yearRegister"], bands),
    )
    year = draw_rows(rng, _year_table(), band)

    sector = _draw_sector(rng, gender, exploit, majority, corridor)
    means = _draw_flags(rng, MEANS_BY_EXPLOIT[exploit] * np.where(partial, MEANS_PARTIAL_FACTOR, 1.0)[:, None])
    return {
        "partial": partial,
        "pair": pair,
        "corridor": corridor,
        "gender": gender,
        "exploit": exploit,
        "majority": majority,
        "age": age,
        "year": year,
        "sector": sector,
        "means": means,
    }


def _year_table() -> np.ndarray:
    """Band (YEAR_BANDS order, then "") x year (YEARS order) probabilities."""
    table = np.zeros((len(YEAR_BANDS) + 1, len(YEARS)))
    for i, (name, (lo, hi)) in enumerate(YEAR_BANDS.items()):
        table[i, YEARS.index(str(lo)) : YEARS.index(str(hi)) + 1] = YEAR_WEIGHTS[name]
    table[-1, -1] = 1.0
    return table / table.sum(axis=1, keepdims=True)


def _draw_sector(
    rng: np.random.Generator, gender: np.ndarray, exploit: np.ndarray, majority: np.ndarray, corridor: np.ndarray
) -> np.ndarray:
    """Labour sector (SECTORS codes); "" for victims without labour exploitation."""
    hint = np.array([SECTORS.index(c[6]) if c[6] else -1 for c in CORRIDORS])
    hint_odds = np.where(np.arange(len(SECTORS))[None, :] == hint[:, None], SECTOR_HINT_ODDS, 1.0)
    minor = _indicator(majority, [MAJORITY.index("Minor")])
    sexual = _indicator(exploit, _SEXUAL)
    seed = factor_seed(
        [
            SECTOR_BY_GENDER,
            np.vstack([np.ones(len(SECTORS)), SECTOR_MINOR_ODDS]),
            np.vstack([np.ones(len(SECTORS)), SECTOR_SEXUAL_ODDS]),
            hint_odds,
        ]
    )
    sector = draw_rows(
        rng,
        seed / seed.sum(axis=1, keepdims=True),
        group_index([gender, minor, sexual, corridor], [len(GENDERS), 2, 2, len(CORRIDORS)]),
    )
    return np.where(_indicator(exploit, _LABOUR) == 1, sector, SECTORS.index(""))


def _draw_flags(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """Independent flags with per-record probabilities (records x flags), as bit masks (flag j = bit j)."""
    hits = rng.random(probs.shape) < probs
    return (hits * (1 << np.arange(probs.shape[1]))[None, :]).sum(axis=1)


@lru_cache(maxsize=8)
def _mask_labels(domain: tuple[str, ...]) -> np.ndarray:
    """Label of every bit mask over ``domain``: the set members joined by MULTI_DELIMITER in domain order."""
    return np.array(
        [MULTI_DELIMITER.join(v for j, v in enumerate(domain) if m >> j & 1) for m in range(1 << len(domain))],
        dtype=object,
    )


# ----------------------------------------------------------------------------------------------------------
# Perpetrators.
# ----------------------------------------------------------------------------------------------------------


def _set_domain(domain: tuple[str, ...], target: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(bit masks, target shares) of the value sets a published column shows ("" = empty set)."""
    masks = np.array(
        [sum(1 << domain.index(v) for v in label.split(MULTI_DELIMITER) if v) for label in target], dtype=np.int64
    )
    return masks, shares(target, list(target))


def _size_factor(masks: np.ndarray, max_perps: int) -> np.ndarray:
    """Odds of each value set by number of perpetrators: impossible when the set is larger (a victim without
    perpetrators has the empty set); a set of s values gets odds C(k-1, s-1), so mixed sets need many."""
    size = np.array([bin(int(m)).count("1") for m in masks])
    k = np.arange(max_perps + 1)[:, None]
    odds = comb(np.maximum(k - 1, 0), np.maximum(size - 1, 0)[None, :]) * (k >= size[None, :])
    odds[:, size == 0] = 1.0
    odds[0, size > 0] = 0.0
    return odds


def _contains(masks: np.ndarray, value_codes: Sequence[int], odds: float) -> np.ndarray:
    """Factor with one level per entry of ``value_codes``: at level i, the odds of every value set containing
    value ``value_codes[i]`` are multiplied by ``odds`` (a code of -1 leaves all odds unchanged)."""
    codes = np.asarray(value_codes, dtype=np.int64)[:, None]
    has = (masks[None, :] >> np.maximum(codes, 0)) & 1
    return np.where((has == 1) & (codes >= 0), odds, 1.0)


def _draw_perp_sets(
    rng: np.random.Generator, victims: dict[str, np.ndarray], n_perps: np.ndarray
) -> dict[str, np.ndarray]:
    """Victim-level value sets (bit masks over PERP_DOMAINS) of the perpetrator columns, and role sets."""
    partial, exploit = victims["partial"], victims["exploit"]
    base = [n_perps, partial]
    sexual = _indicator(exploit, _SEXUAL)
    labour = _indicator(exploit, _LABOUR)
    minor = _indicator(victims["majority"], [MAJORITY.index("Minor")])
    g, rel, paid = (PERP_DOMAINS[c] for c in ("perpGender", "perpRelation", "perpPaid"))
    regions = list(range(len(REGIONS) - 1)) + [-1]  # victim region code -> perpetrator region code
    effects = {  # column -> [(victim-level factor levels, value code per level, odds)]
        "perpGender": [(sexual, [-1, g.index("Female")], PERP_FEMALE_IF_SEXUAL)],
        "perpAgeBroad": [],
        "perpCitizenRegion": [
            (victims["pair"] // len(REGIONS), regions, PERP_REGION_OF_CITIZENSHIP),
            (victims["pair"] % len(REGIONS), regions, PERP_REGION_OF_EXPLOITATION),
        ],
        "perpRelation": [(minor, [-1, rel.index("FamilyIntimatePartner")], PERP_FAMILY_IF_MINOR)],
        "perpPaid": [(labour, [-1, paid.index("Yes")], PERP_PAID_IF_LABOUR)],
    }
    out = {}
    for col, col_effects in effects.items():
        masks, target = _set_domain(PERP_DOMAINS[col], VP_COUNTS[PERP_TARGET[col]])
        factors = [
            _size_factor(masks, len(N_PERPS) - 1),
            _missing_odds(["" if m == 0 else "x" for m in masks], PARTIAL_MISSING_ODDS),
        ]
        factors += [_contains(masks, codes, odds) for _, codes, odds in col_effects]
        levels = base + [lv for lv, _, _ in col_effects]
        out[col] = masks[draw_calibrated(rng, levels, factors, target)]
    k_odds = np.column_stack([np.ones(len(N_PERPS)), ROLE_BY_N_PERPS])
    role_sets = np.zeros(n_perps.size, dtype=np.int64)
    for j, role in enumerate(ROLES):
        target = shares(VP_COUNTS[ROLE_TARGET[role]], ["", "1"])
        exploit_odds = np.column_stack([np.ones(len(EXPLOIT)), ROLE_BY_EXPLOIT[:, j]])
        partial_odds = np.array([[1.0, 1.0], [PARTIAL_MISSING_ODDS, 1.0]])
        has = draw_calibrated(rng, [n_perps, exploit, partial], [k_odds, exploit_odds, partial_odds], target)
        role_sets |= has << j
    out["perpRole"] = role_sets
    return out


def _rank_within(rng: np.random.Generator, victim: np.ndarray, start: np.ndarray) -> np.ndarray:
    """A uniformly random order of every victim's rows: rank of each row (0..k-1) within its victim."""
    order = np.lexsort((rng.random(victim.size), victim))
    rank = np.empty(victim.size, dtype=np.int64)
    rank[order] = np.arange(victim.size) - start[victim[order]]
    return rank


def _spread_set(
    rng: np.random.Generator,
    masks: np.ndarray,
    victim: np.ndarray,
    start: np.ndarray,
    n_values: int,
    extra_missing: float,
) -> np.ndarray:
    """One value code per perpetrator row (-1 = missing) such that each victim's values form its set."""
    nth = np.full((1 << n_values, n_values), -1, dtype=np.int64)
    size = np.zeros(1 << n_values, dtype=np.int64)
    for m in range(1 << n_values):
        members = [j for j in range(n_values) if m >> j & 1]
        nth[m, : len(members)], size[m] = members, len(members)
    m, s = masks[victim], size[masks[victim]]
    rank = _rank_within(rng, victim, start)
    u_pick, u_missing = rng.random(victim.size), rng.random(victim.size)
    extra = nth[m, np.minimum((u_pick * s).astype(np.int64), n_values - 1)]
    extra = np.where(u_missing < extra_missing, -1, extra)
    return np.where(rank < s, nth[m, np.minimum(rank, n_values - 1)], extra)


def _spread_roles(
    rng: np.random.Generator, role_sets: np.ndarray, victim: np.ndarray, rank: np.ndarray, n_rows: np.ndarray
) -> np.ndarray:
    """Role bit masks per perpetrator row: each role of the victim's set is held by one random perpetrator
    and shared by each other perpetrator with probability ROLE_SHARED."""
    out = np.zeros(victim.size, dtype=np.int64)
    for j in range(len(ROLES)):
        holder = (rng.random(role_sets.size) * n_rows).astype(np.int64)
        held = (rank == holder[victim]) | (rng.random(victim.size) < ROLE_SHARED)
        out |= ((role_sets[victim] >> j & 1) * held) << j
    return out


# ----------------------------------------------------------------------------------------------------------
# Public API.
# ----------------------------------------------------------------------------------------------------------


def generate_sample(n_victims: int = 20_000, seed: int = 0) -> pd.DataFrame:
    """Generate ``n_victims`` private case records in long format (one row per victim-perpetrator pair).

    All columns are strings, "" where a value is absent; ``case_id`` comes first. The same seed always gives
    the same table.
    """
    if n_victims < 1:
        raise ValueError("n_victims must be at least 1")
    rng = np.random.default_rng(seed)
    victims = _draw_victims(rng, n_victims)
    n_perps = draw_calibrated(
        rng, [victims["partial"]], [np.vstack([np.ones(len(N_PERPS)), N_PERPS_PARTIAL_ODDS])], N_PERPS
    )
    perp_sets = _draw_perp_sets(rng, victims, n_perps)

    n_rows = np.maximum(n_perps, 1)
    start = np.concatenate([[0], np.cumsum(n_rows)[:-1]])
    victim = np.repeat(np.arange(n_victims), n_rows)
    rank = _rank_within(rng, victim, start)

    width = max(5, len(str(n_victims)))
    corridor = victims["corridor"]
    exploit = victims["exploit"]
    flag = np.array(["", "1"], dtype=object)
    cols: dict[str, np.ndarray] = {
        "case_id": np.char.add("V", np.char.zfill((np.arange(n_victims) + 1).astype(str), width)).astype(object),
        "yearRegister": np.array(YEARS, dtype=object)[victims["year"]],
        "gender": np.array(GENDERS, dtype=object)[victims["gender"]],
        "ageBroad": np.array(AGES, dtype=object)[victims["age"]],
        "majorityStatus": np.array(MAJORITY, dtype=object)[victims["majority"]],
        "citizenship": np.array([c[0] for c in CORRIDORS], dtype=object)[corridor],
        "CountryOfExploitation": np.array([c[1] for c in CORRIDORS], dtype=object)[corridor],
        "isForcedLabour": flag[_indicator(exploit, _LABOUR)],
        "isSexualExploit": flag[_indicator(exploit, _SEXUAL)],
        "isOtherExploit": flag[_indicator(exploit, [EXPLOIT.index("O")])],
        "typeOfLabour": np.array(SECTORS, dtype=object)[victims["sector"]],
        "meansOfControl": _mask_labels(MEANS)[victims["means"]],
    }
    frame = {name: values[victim] for name, values in cols.items()}
    for col, domain in PERP_DOMAINS.items():
        codes = _spread_set(rng, perp_sets[col], victim, start, len(domain), PERP_EXTRA_MISSING[col])
        frame[col] = np.array(domain + ("",), dtype=object)[codes]
    frame["perpRole"] = _mask_labels(ROLES)[_spread_roles(rng, perp_sets["perpRole"], victim, rank, n_rows)]
    return pd.DataFrame({name: frame[name] for name in COLUMNS})


def write_sample(path: str | Path, n_victims: int = 20_000, seed: int = 0) -> Path:
    """Generate the sample and write it as a UTF-8, comma-delimited CSV (parent folders are created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    generate_sample(n_victims, seed).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path


def join_victims(
    frame: pd.DataFrame, subject_id: str = "case_id", multi_value: Sequence[str] = MULTI_VALUE_COLUMNS
) -> pd.DataFrame:
    """One row per subject: other columns keep their first value; multi-value columns become the sorted set of
    values over the subject's rows, joined by MULTI_DELIMITER ("" when there is none)."""
    subject, _ = pd.factorize(frame[subject_id])
    first = frame.drop_duplicates(subject_id).reset_index(drop=True)
    for col in multi_value:
        cell_codes, cells = pd.factorize(frame[col])
        parts = [set(c.split(MULTI_DELIMITER)) - {""} for c in cells]
        values = sorted(set().union(*parts))
        if len(values) > 63:
            raise ValueError(f"join_victims handles at most 63 distinct values per column; {col} has {len(values)}")
        cell_masks = np.array([sum(1 << values.index(v) for v in p) for p in parts], dtype=np.uint64)
        masks = np.zeros(len(first), dtype=np.uint64)
        np.bitwise_or.at(masks, subject, cell_masks[cell_codes])
        labels = {m: MULTI_DELIMITER.join(v for j, v in enumerate(values) if int(m) >> j & 1) for m in np.unique(masks)}
        first[col] = pd.Series(masks).map(labels).astype(object)
    return first
