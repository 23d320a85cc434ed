"""Merge a new template into a catalogue as GNU `msgmerge --previous` does, with an indexed search.

The merge itself follows msgmerge case by case (see `update`); the one thing done differently is
finding similar strings: msgmerge compares each new string with every old one (quadratic, 145 s at
50k entries), `FuzzyIndex` compares it only with candidates sharing its rarer words.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from babel import Locale, localedata
from rapidfuzz import fuzz, process

from translator.formats import plural_forms
from translator.formats.catalogue import (
    APPROVED,
    DEFAULT_DOMAIN,
    Catalogue,
    Entry,
    parse_header,
)
from translator.formats.po_checks import breaks_format, flag_range, format_languages

FUZZY_THRESHOLD = 60.0  # GNU msgmerge's FUZZY_THRESHOLD (0.6), on rapidfuzz's 0-100 scale
CONTEXT_BONUS = 0.001  # msgmerge's advantage for a message valid in the context (0.00001)
_WORD = re.compile(r"\w{3,}")
# msgmerge's header (msgmerge.c): these fields first, in this order and spelt so, each once (the
# last of a repeated one); every other line after them as it was. Two come from the template.
_KNOWN_FIELDS = (
    "Project-Id-Version",
    "Report-Msgid-Bugs-To",
    "POT-Creation-Date",
    "PO-Revision-Date",
    "Last-Translator",
    "Language-Team",
    "Language",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
)
_TEMPLATE_FIELDS = ("Report-Msgid-Bugs-To", "POT-Creation-Date")
# Language-Team names msgmerge 0.21 reads as a language and country (tried one by one)
_LANGUAGE_VARIANTS = {
    "Austrian": "de_AT",
    "Brazilian Portuguese": "pt_BR",
    "Chinese (simplified)": "zh_CN",
    "Chinese (traditional)": "zh_TW",
    "Chinese (Hong Kong)": "zh_HK",
}


class FuzzyIndex:
    """Finds, for a changed English string, the most similar known string, as msgmerge would.

    Similarity is rapidfuzz's normalised Indel ratio on the UTF-8 bytes, the measure GNU
    gettext's fstrcmp computes on a msgid's bytes (2 x common bytes / total length); a match needs
    more than 0.6, msgmerge's threshold. Instead of comparing each query with every candidate
    (msgmerge's quadratic search), candidates come from an inverted index of their rarer words,
    plus the strings the caller says were just removed. A short query shares few words with
    anything, so it is compared with every candidate short enough to reach 0.6 (at most 7/3 of
    its length): few, and cheap to compare.
    """

    SHORT = 60

    def __init__(self, candidates: Iterable[str], probe_words: int = 8, max_postings: int = 400):
        self.candidates = list(dict.fromkeys(candidates))
        self.encoded = [text.encode() for text in self.candidates]
        self.probe_words = probe_words
        self.max_postings = max_postings
        self.postings: dict[str, list[int]] = {}
        for number, text in enumerate(self.candidates):
            for word in _words(text):
                self.postings.setdefault(word, []).append(number)
        self.by_length = sorted(range(len(self.encoded)), key=lambda n: len(self.encoded[n]))
        self.lengths = [len(self.encoded[n]) for n in self.by_length]

    def best(
        self,
        query: str,
        also: Sequence[str] = (),
        favoured: Callable[[str], bool] | None = None,
    ) -> str | None:
        """The most similar candidate (or string in `also`) scoring over 0.6, or None.

        A candidate for which `favoured` says yes gets msgmerge's small advantage (0.00001, given
        to a message without msgctxt or with the one looked up): it wins a tie, and exactly 0.6
        ("Jan" and "January") is enough for it. Of equally similar ones, the first in the
        catalogue wins, as in msgmerge.
        """
        words = sorted(_words(query), key=lambda w: (len(self.postings.get(w, ())), w))
        encoded = query.encode()
        chosen: set[int] = set()
        if len(query) <= self.SHORT:  # every candidate short enough to reach 0.6
            reach = bisect.bisect_right(self.lengths, len(encoded) * 7 // 3)
            chosen.update(self.by_length[:reach])
        for word in words[: self.probe_words]:
            posting = self.postings.get(word, ())
            if len(posting) <= self.max_postings:
                chosen.update(posting)
        # Plain lists for rapidfuzz, and each string found by its number, without copying the
        # candidates for every query: a catalogue asks thousands.
        count, extra = len(self.candidates), list(also)
        numbers = [*chosen, *range(count, count + len(extra))]
        choices = [self.encoded[n] for n in chosen] + [text.encode() for text in extra]

        def text_of(number: int) -> str:
            return self.candidates[number] if number < count else extra[number - count]

        grams = _grams(query)
        found: list[tuple[float, int]] = []
        for _, score, index in process.extract(
            encoded,
            choices,
            scorer=fuzz.ratio,
            score_cutoff=FUZZY_THRESHOLD - CONTEXT_BONUS,
            limit=None,
        ):
            number = numbers[index]
            text = text_of(number)
            if len(query) >= 4 and _gram_set(text).isdisjoint(grams):
                continue
            score += CONTEXT_BONUS if favoured and favoured(text) else 0.0
            if score > FUZZY_THRESHOLD:
                found.append((score, number))
        if not found:
            return None
        top = max(score for score, _ in found)
        # Of equally similar ones msgmerge takes the one sharing most 4-grams, then the first.
        number = min(
            (number for score, number in found if score == top),
            key=lambda n: (-sum(gram in _gram_set(text_of(n)) for gram in grams), n),
        )
        return text_of(number)


def _words(text: str) -> set[str]:
    """The words a string is indexed by; a long word also by its first and last 8 letters, so
    that a word glued to another ("sentence" + "Evin") still finds its own kind."""
    words = set(_WORD.findall(text.lower()))
    for word in [w for w in words if len(w) > 12]:
        words.update((word[:8] + "<", ">" + word[-8:]))
    return words


def _grams(text: str) -> list[str]:
    """The character 4-grams of a string, with repetitions: msgmerge looks for a similar msgid
    only among those sharing at least one with it (a string of 4 characters or more)."""
    return [text[i : i + 4] for i in range(len(text) - 3)]


@lru_cache(maxsize=1 << 16)
def _gram_set(text: str) -> frozenset[str]:
    return frozenset(_grams(text))


def update(catalogue: Catalogue, template: Catalogue) -> Catalogue:
    """Merge a new template into a catalogue with msgmerge --previous semantics.

    - A message of the template found in the catalogue (same msgctxt and msgid, even an obsolete
      one) keeps its translation, translator comments and fuzziness; the template gives its
      locations, extracted comments and flags. A changed msgid_plural makes it fuzzy.
    - Otherwise the most similar translated message (whatever its msgctxt, obsolete ones included)
      gives its translation, marked fuzzy with the old msgctxt, msgid and msgid_plural as previous.
    - A singular translation given to a plural message fills every form; a plural one given to a
      singular message gives its msgstr[0]; either way the result is fuzzy.
    - A new plural message gets as many empty forms as the catalogue's Plural-Forms says.
    - Old messages used by nothing become obsolete (at the end) when translated, else are dropped.
    - The header is the catalogue's, rebuilt as msgmerge does (known fields first, in its order),
      with POT-Creation-Date and Report-Msgid-Bugs-To from the template; a catalogue without a
      header stays without one.
    """
    entries, used = _merged_domains(catalogue, template)
    entries += [_obsolete(e) for e in catalogue.entries if id(e) not in used and e.first_form]
    result = Catalogue(
        list(catalogue.headers),
        list(catalogue.header_comments),
        entries,
        has_header=catalogue.has_header,
        header_flags=_header_flags(catalogue, template),
        header_extracted=list(template.header_extracted) if template.has_header else [],
        header_raw=catalogue.header_raw,
        charset=catalogue.charset,
        domain=catalogue.domain,
        header_locations=list(template.header_locations) if template.has_header else [],
    )
    if result.has_header:
        template_header = template.header_text() if template.has_header else ""
        result.header_raw = _merged_header(result.header_text(), template_header)
        result.headers = parse_header(result.header_raw)
    return result


def _merged_domains(catalogue: Catalogue, template: Catalogue) -> tuple[list[Entry], set[int]]:
    """Each domain of the template merged with the catalogue's domain of that name (msgmerge
    without --multi-domain), and the catalogue's entries used. Another domain's header is merged
    as the first one's: a catalogue's domain without a header stays without one."""
    ours, first = _domains(catalogue), catalogue.domain or DEFAULT_DOMAIN
    entries: list[Entry] = []
    used: set[int] = set()
    for name, new_entries in _domains(template).items():
        old_entries = ours.get(name, [])
        label = None if name == first else name
        header = _domain_header(old_entries) if label is not None else None
        new_header = _domain_header(new_entries) if label is not None else None
        if header is not None:
            used.add(id(header))
            entries.append(_domain_header_merged(header, new_header))
        merger = _Merger(catalogue, [e for e in old_entries if e is not header])
        entries += [_labelled(merger.merge(e), label) for e in new_entries if e is not new_header]
        used |= merger.used
    return entries, used


def _domains(catalogue: Catalogue) -> dict[str, list[Entry]]:
    """A catalogue's entries by the name of their domain, its first domain first."""
    first = catalogue.domain or DEFAULT_DOMAIN
    found: dict[str, list[Entry]] = {first: []}
    for entry in catalogue.entries:
        found.setdefault(entry.domain or first, []).append(entry)
    return found


def _domain_header(entries: list[Entry]) -> Entry | None:
    return next(
        (e for e in entries if e.msgid == "" and e.msgctxt is None and not e.obsolete), None
    )


def _domain_header_merged(header: Entry, template: Entry | None) -> Entry:
    """Another domain's header, merged as the first one's (`update`)."""
    merged = _labelled(_obsolete(header), header.domain)
    merged.obsolete = False
    merged.msgstr = _merged_header(header.msgstr, template.msgstr if template else "")
    merged.flags = ["fuzzy"] if header.fuzzy else []
    if template is not None:
        merged.flags += [flag for flag in dict.fromkeys(template.flags) if flag != "fuzzy"]
        merged.extracted, merged.locations = list(template.extracted), list(template.locations)
    return merged


def _labelled(entry: Entry, domain: str | None) -> Entry:
    entry.domain = domain
    return entry


def _header_flags(catalogue: Catalogue, template: Catalogue) -> list[str]:
    """As for every message: fuzzy from the catalogue, the other flags from the template."""
    fuzzy = ["fuzzy"] if "fuzzy" in catalogue.header_flags else []
    theirs = template.header_flags if template.has_header else []
    return fuzzy + [flag for flag in dict.fromkeys(theirs) if flag != "fuzzy"]


class _Merger:
    """The messages of a catalogue's domain, found exactly or fuzzily for each message of the
    template's domain of that name."""

    def __init__(self, catalogue: Catalogue, entries: list[Entry]) -> None:
        self.nplurals = catalogue.nplurals() or 2
        self.forms = catalogue.plural_forms()
        self.exact: dict[tuple[str | None, str], Entry] = {}
        for entry in entries:  # a live message wins over an obsolete one
            if entry.key not in self.exact or self.exact[entry.key].obsolete:
                self.exact[entry.key] = entry
        self.candidates: dict[str, list[Entry]] = {}
        for entry in entries:
            if entry.first_form:
                self.candidates.setdefault(entry.msgid, []).append(entry)
        self.index: FuzzyIndex | None = None
        self.used: set[int] = set()
        self.wanted: set[tuple[str | None, str]] = set()

    def merge(self, new: Entry) -> Entry:
        old = self.exact.get(new.key)
        if old is not None:
            self.used.add(id(old))
            return _merged(new, old, self.nplurals, self.forms, fuzzy_match=False)
        old = self.similar(new) if new.msgid else None
        if old is None:
            return _untranslated(new, self.nplurals)
        self.used.add(id(old))
        return _merged(new, old, self.nplurals, self.forms, fuzzy_match=True)

    def similar(self, new: Entry) -> Entry | None:
        if self.index is None:
            self.index = FuzzyIndex(self.candidates)
        match = self.index.best(
            new.msgid,
            favoured=lambda text: any(_favoured(e, new) for e in self.candidates[text]),
        )
        if match is None:
            return None
        found = self.candidates[match]
        return next((e for e in found if _favoured(e, new)), found[0])


def _favoured(old: Entry, new: Entry) -> bool:
    """msgmerge's advantage: the old message is valid in any context, or in the new one's."""
    return old.msgctxt is None or old.msgctxt == new.msgctxt


def _template_flags(new: Entry) -> list[str]:
    return [flag for flag in dict.fromkeys(new.flags) if flag != "fuzzy"]


def _untranslated(new: Entry, nplurals: int) -> Entry:
    return Entry(
        msgid=new.msgid,
        msgctxt=new.msgctxt,
        msgid_plural=new.msgid_plural,
        msgstr_plural=[""] * nplurals if new.msgid_plural is not None else [],
        locations=list(new.locations),
        extracted=list(new.extracted),
        comments=list(new.comments),
        flags=list(dict.fromkeys(new.flags)),
        domain=new.domain,
        obsolete=new.obsolete,
    )


def _merged(
    new: Entry,
    old: Entry,
    nplurals: int,
    forms: plural_forms.PluralForms | None,
    *,
    fuzzy_match: bool,
) -> Entry:
    entry = Entry(
        msgid=new.msgid,
        msgctxt=new.msgctxt,
        msgid_plural=new.msgid_plural,
        locations=list(new.locations),
        extracted=list(new.extracted),
        comments=list(old.comments),
        domain=new.domain,
        obsolete=new.obsolete,  # a template that is itself a merged catalogue may have some
    )
    changed_number = (new.msgid_plural is None) != (old.msgid_plural is None)
    if new.msgid_plural is None:
        entry.msgstr = old.msgstr if old.msgid_plural is None else old.msgstr_plural[0]
    elif old.msgid_plural is None:
        entry.msgstr_plural = [old.msgstr] * nplurals
    else:
        entry.msgstr_plural = list(old.msgstr_plural)
    plural_changed = new.msgid_plural != old.msgid_plural
    if not entry.first_form:  # nothing translated: nothing to be fuzzy, nothing previous
        entry.flags = _template_flags(new)
        return entry
    now_fuzzy = fuzzy_match or changed_number or plural_changed
    if not now_fuzzy and not old.fuzzy:
        now_fuzzy = _breaks_new_format(new, old, entry, forms) or _range_widened(new, old)
    flags = _template_flags(new)
    if now_fuzzy or old.fuzzy:
        flags.insert(0, "fuzzy")
    elif APPROVED in old.flags and APPROVED not in flags:
        flags.append(APPROVED)
    entry.flags = flags
    if old.fuzzy:  # what the translation was made from: the fuzzy message's own previous msgid
        entry.previous_msgctxt = old.previous_msgctxt
        entry.previous_msgid = old.previous_msgid
        entry.previous_msgid_plural = old.previous_msgid_plural
    elif now_fuzzy:
        entry.previous_msgctxt = old.msgctxt
        entry.previous_msgid = old.msgid
        entry.previous_msgid_plural = old.msgid_plural
    return entry


def _breaks_new_format(
    new: Entry, old: Entry, merged: Entry, forms: plural_forms.PluralForms | None
) -> bool:
    """msgmerge marks a translation fuzzy when the template now calls the message a format
    string its old entry was not marked as (possibly) being, and the translation fails that
    format's check, with the template's `range:` (`msgmerge` must not turn a file that passes
    `msgfmt -c` into one that does not)."""
    before = set(format_languages(old.flags))
    probe = Entry(
        msgid=new.msgid,
        msgid_plural=new.msgid_plural,
        msgstr=merged.msgstr,
        msgstr_plural=merged.msgstr_plural,
        flags=[flag for flag in new.flags if flag.startswith("range:")],
    )
    return any(
        breaks_format(probe, language, forms)
        for language in format_languages(new.flags)
        if language not in before
    )


def _range_widened(new: Entry, old: Entry) -> bool:
    """The translation assumed a `range:` the template no longer keeps within (msgmerge marks
    it fuzzy, as a form may now be needed for counts it was not written for)."""
    before = flag_range(old.flags)
    if before is None:
        return False
    after = flag_range(new.flags)
    return after is None or after[0] < before[0] or after[1] > before[1]


def _obsolete(entry: Entry) -> Entry:
    return Entry(
        msgid=entry.msgid,
        msgstr=entry.msgstr,
        msgctxt=entry.msgctxt,
        msgid_plural=entry.msgid_plural,
        msgstr_plural=list(entry.msgstr_plural),
        flags=list(dict.fromkeys(entry.flags)),
        comments=list(entry.comments),
        obsolete=True,
        previous_msgid=entry.previous_msgid,
        previous_msgctxt=entry.previous_msgctxt,
        previous_msgid_plural=entry.previous_msgid_plural,
        domain=entry.domain,
    )


def _merged_header(header: str, template: str) -> str:
    """A header as msgmerge rebuilds it: the known fields in its order, then every other line,
    with Report-Msgid-Bugs-To and POT-Creation-Date from the template's header where it has
    them."""
    known: dict[str, str] = {}
    others: list[str] = []
    lines = header.split("\n")
    for line in lines[:-1] if lines[-1] == "" else lines:
        name = _known_field(line)
        if name is None:
            others.append(line)
        else:
            known[name] = line[len(name) + 1 :]
    if "Language" not in known and "Language-Team" in known:
        known["Language"] = " " + _language_of_team(known["Language-Team"])
    for name in _TEMPLATE_FIELDS:
        at = template.find(f"{name}:")  # anywhere in the template's header, as msgmerge looks
        if at >= 0:
            end = template.find("\n", at)
            known[name] = template[at + len(name) + 1 : end if end >= 0 else None]
    fields = [f"{name}:{known[name]}" for name in _KNOWN_FIELDS if name in known]
    return "".join(f"{line}\n" for line in fields + others)


def _language_of_team(team: str) -> str:
    """The Language msgmerge (since gettext 0.18) gives a header that has none: the English
    name of a language written before an address in Language-Team ("French <fr@li.org>" gives
    fr), else nothing. msgmerge looks names up in ISO 639's table; we in CLDR's, which spells a
    few differently (CLDR's "Kyrgyz" is ISO's "Kirghiz")."""
    text = (team + "\n").lstrip(" \t")  # as msgmerge sees it: with its newline
    start = max(text.rfind(" "), text.rfind("\t")) + 1
    if text[start : start + 1] != "<" and "@" not in text and "/" not in text:
        return ""
    return _language_codes().get(text[:start].rstrip(" \t"), "")


@lru_cache(maxsize=1)
def _language_codes() -> dict[str, str]:
    codes = dict(_LANGUAGE_VARIANTS)
    for identifier in localedata.locale_identifiers():
        if "_" not in identifier:
            codes.setdefault(Locale.parse(identifier).english_name or identifier, identifier)
    return codes


def _known_field(line: str) -> str | None:
    """The known field a header line gives (its name in any case), or None."""
    head = line.split(":", 1)[0].lower() if ":" in line else None
    return next((name for name in _KNOWN_FIELDS if name.lower() == head), None)
