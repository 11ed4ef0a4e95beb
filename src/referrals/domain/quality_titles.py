"""A free job title read as a seniority level and a job function, in English and Italian.

"CFO" is (c_level, finance), "Resp. Acquisti" (manager, procurement), "Direttore Generale" (c_level, executive),
"Senior Software Engineer" (individual, it). Levels, most senior first: owner (owner, founder, titolare), c_level
(CEO, CxO, chief, president, managing director, amministratore delegato), vp, director (director, head of,
direttore, dirigente), manager (manager, mgr, responsabile, supervisor, team lead, capo), individual (any other
title), student (student, intern, stagista); "none" when there is no title. Functions: finance, it, procurement,
sales, marketing, operations, hr, legal, executive (general management), other.

Rules are ordered word patterns over the folded title (lower case, no accents, punctuation as spaces): the first
level whose pattern matches wins, and so does the first function. Pure and cached: titles repeat.
"""

import re
from functools import lru_cache

from referrals.domain.text import fold

LEVELS = ("owner", "c_level", "vp", "director", "manager", "individual", "student", "none")
FUNCTIONS = ("finance", "it", "procurement", "sales", "marketing", "operations", "hr", "legal", "executive", "other")


def _words(*patterns: str) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b")


# An assistant to a chief is not a chief: checked before the levels.
_ASSISTANT = _words(r"(?:executive |personal )?assistant(?: to)?", r"assistente", r"segretari[oa]", r"secretary",
                    r"office manager")
_LEVELS: tuple[tuple[str, re.Pattern], ...] = (
    ("student", _words(r"students?", r"interns?", r"internship", r"trainee", r"stagista", r"studente(?:ssa)?",
                       r"tirocinante", r"apprentice", r"apprendista", r"dottorando", r"phd candidate",
                       r"working student", r"laureando")),
    ("owner", _words(r"owner", r"co ?founder", r"founder", r"founding partner", r"titolare", r"fondatore",
                     r"fondatrice", r"proprietari[oa]", r"socio(?: fondatore)?", r"socia", r"imprenditore",
                     r"imprenditrice", r"managing partner", r"senior partner", r"equity partner", r"^partner$",
                     r"libero professionista", r"freelancer?", r"self employed")),
    ("vp", _words(r"vp", r"svp", r"evp", r"avp", r"vice ?president[e]?", r"vicepresidente", r"vice presidente")),
    ("c_level", _words(r"ceo", r"cfo", r"cio", r"cto", r"coo", r"cmo", r"cso", r"ciso", r"cdo", r"cpo", r"cro",
                       r"chro", r"cco", r"clo", r"chief", r"president[e]?", r"managing director",
                       r"general manager", r"gm", r"direttore generale", r"direttrice generale",
                       r"amministratore (?:delegato|unico)", r"amministratrice (?:delegata|unica)", r"a ?d",
                       r"ad", r"dg", r"executive director", r"country manager", r"board member",
                       r"consigliere (?:delegato|di amministrazione)")),
    ("director", _words(r"directors?", r"head(?: of)?", r"direttore", r"direttrice", r"dirigente", r"dir",
                        r"vice direttore", r"vicedirettore", r"deputy director", r"capo area")),
    ("manager", _words(r"manager", r"mgr", r"mngr", r"mgmt", r"responsabile", r"resp", r"supervisor",
                       r"team ?lead(?:er)?", r"tech lead", r"lead (?:developer|engineer|architect)", r"leader",
                       r"capo(?: \w+)?", r"coordinat(?:or|ore|rice)",
                       r"caporeparto", r"capoufficio", r"preposto", r"foreman")),
)
_FUNCTIONS: tuple[tuple[str, re.Pattern], ...] = (
    ("procurement", _words(r"chief (?:procurement|purchasing)", r"procurement", r"purchasing", r"purchase",
                           r"purchaser", r"buyer", r"acquisti",
                           r"acquisto", r"approvvigionament\w*", r"sourcing", r"category manager",
                           r"ufficio acquisti", r"compratore")),
    ("hr", _words(r"chief (?:people|human)", r"hr", r"hrbp", r"chro", r"human resources?", r"people", r"talent",
                  r"recruit\w*",
                  r"risorse umane", r"personale", r"payroll", r"paghe", r"selezione", r"hr business partner")),
    ("legal", _words(r"data protection", r"legal", r"lawyer", r"attorney", r"counsel", r"avvocat[oa]", r"legale",
                     r"compliance",
                     r"affari legali", r"clo", r"notai[oa]", r"privacy", r"dpo", r"giurista", r"ufficio legale")),
    ("finance", _words(r"chief financ\w*", r"cfo", r"finance", r"financial", r"finanz\w*", r"accounting", r"accountant",
                       r"accounts", r"controller", r"controlling", r"treasur\w*", r"tesori\w*", r"amministrazione",
                       r"amministrativ[oa]", r"contabil\w*", r"ragionier\w*", r"fiscal\w*", r"tax", r"audit\w*",
                       r"revisore", r"credit", r"crediti", r"bilancio")),
    ("marketing", _words(r"chief marketing", r"cmo", r"marketing", r"brand", r"comunicazione", r"communications?",
                         r"pr",
                         r"growth", r"social media", r"content", r"eventi", r"events", r"seo", r"advertising",
                         r"pubblicita")),
    ("sales", _words(r"chief (?:revenue|sales|commercial)", r"sales", r"cro", r"vendite", r"vendita", r"commerciale",
                     r"commercial", r"account manager",
                     r"account executive", r"key account", r"business development", r"bdr", r"sdr",
                     r"area manager", r"venditore", r"venditrice", r"export", r"channel", r"partner manager",
                     r"agente", r"revenue", r"customer success", r"pre ?sales", r"presales")),
    ("it", _words(r"chief (?:information|technology|digital|data|security)\w*", r"it", r"ict", r"i t", r"cio", r"cto",
                  r"ciso", r"cdo", r"information technology",
                  r"information systems?", r"informatic\w*", r"sistemi informativi", r"systems?", r"sysadmin",
                  r"system administrator", r"amministratore di (?:sistema|rete)", r"network\w*", r"reti",
                  r"infrastructure", r"infrastruttur\w*", r"software", r"developer", r"sviluppator[ei]",
                  r"devops", r"cloud", r"security", r"cyber\w*", r"data", r"dati", r"digital\w*", r"tech",
                  r"technology", r"tecnologi\w*", r"helpdesk", r"help desk", r"erp", r"engineering",
                  r"programmat(?:ore|rice)", r"web", r"database", r"dba", r"architect", r"architetto")),
    ("operations", _words(r"chief operati\w*", r"coo", r"operations?", r"ops", r"operativ[oa]", r"operazioni",
                          r"logistic\w*",
                          r"supply chain", r"production", r"produzione", r"plant", r"stabilimento", r"facility",
                          r"facilities", r"manufacturing", r"quality", r"qualita", r"magazzino", r"warehouse",
                          r"maintenance", r"manutenzione", r"servizi generali", r"tecnico", r"technician")),
    ("executive", _words(r"ceo", r"chief executive", r"president[e]?", r"owner", r"founder", r"co ?founder",
                         r"titolare", r"fondat(?:ore|rice)", r"socio", r"socia", r"amministrat(?:ore|rice)",
                         r"direttore generale", r"direttrice generale", r"general manager", r"gm",
                         r"managing director", r"executive director", r"country manager", r"board",
                         r"vice ?president[e]?", r"vicepresidente", r"imprenditore",
                         r"imprenditrice", r"proprietari[oa]", r"a ?d", r"ad", r"dg", r"partner")),
)
_PUNCTUATION = re.compile(r"[^a-z0-9]+")
_SPELT_OUT = re.compile(r"\b(?:[a-z] )+[a-z]\b")  # "c e o" (from "C.E.O.") -> "ceo"


def _cleaned(title: str) -> str:
    """Folded, punctuation as single spaces: "Resp. Acquisti" -> "resp acquisti", "Co-Founder" -> "co founder"."""
    return _SPELT_OUT.sub(lambda m: m.group().replace(" ", ""), _PUNCTUATION.sub(" ", fold(title)).strip())


@lru_cache(maxsize=8192)
def read_title(title: str) -> tuple[str, str | None]:
    """(level, function) of a free job title; the function is None when there is no title."""
    text = _cleaned(title or "")
    if not text:
        return "none", None
    level = next((name for name, pattern in _LEVELS if pattern.search(text)), "individual")
    if level not in ("student", "owner") and _ASSISTANT.search(text) and "vice president" not in text:
        level = "individual"
    function = next((name for name, pattern in _FUNCTIONS if pattern.search(text)), "other")
    return level, function


@lru_cache(maxsize=8192)
def title_features(title: str) -> tuple[str, ...]:
    """The title's feature names, built once per title: ("seniority=c_level", "function=finance")."""
    level, function = read_title(title)
    return (f"seniority={level}",) if function is None else (f"seniority={level}", f"function={function}")
