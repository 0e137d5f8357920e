//! Parsing a cron in a dialect: tokens, fields, names and specials, every error located;
//! then building the `Cron`.

#[allow(clippy::wildcard_imports)]
use super::*;
use crate::diag::codes;

// ---------------------------------------------------------------------------------------
// Error codes
// ---------------------------------------------------------------------------------------

pub(super) const E_FIELD_COUNT: &str = codes::CRON_FIELD_COUNT;
pub(super) const E_EMPTY: &str = codes::CRON_EMPTY;
pub(super) const E_MALFORMED: &str = codes::CRON_MALFORMED;
pub(super) const E_RANGE: &str = codes::CRON_OUT_OF_RANGE;
pub(super) const E_REVERSED: &str = codes::CRON_REVERSED;
pub(super) const E_STEP: &str = codes::CRON_STEP;
pub(super) const E_EMPTY_ITEM: &str = codes::CRON_EMPTY_ITEM;
pub(super) const E_NAME: &str = codes::CRON_NAME;
pub(super) const E_NICKNAME: &str = codes::CRON_NICKNAME;
pub(super) const E_UNSUPPORTED: &str = codes::CRON_UNSUPPORTED;
pub(super) const E_PLACEMENT: &str = codes::CRON_PLACEMENT;
pub(super) const E_OCCURRENCE: &str = codes::CRON_OCCURRENCE;
pub(super) const E_NEVER: &str = codes::CRON_NEVER;
pub(super) const E_W_LIST: &str = codes::CRON_W_LIST;
pub(super) const E_NTH_MIX: &str = codes::CRON_NTH_MIX;
pub(super) const E_HASH: &str = codes::CRON_HASH;
pub(super) const E_CRONITER_FAILS: &str = codes::CRONITER_FAILS;

impl CronError {
    pub(super) fn new(
        code: &'static str,
        span: (usize, usize),
        message: String,
        help: Option<String>,
    ) -> Self {
        CronError {
            code,
            message,
            help,
            start: span.0,
            end: span.1,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------

/// A piece of the expression and its byte offset.
#[derive(Debug, Clone, Copy)]
pub(super) struct Token<'a> {
    pub(super) text: &'a str,
    pub(super) start: usize,
}

impl<'a> Token<'a> {
    pub(super) fn end(self) -> usize {
        self.start + self.text.len()
    }

    pub(super) fn span(self) -> (usize, usize) {
        (self.start, self.end())
    }

    /// The sub-token `text[from..to]` (on ASCII delimiters, so always char boundaries).
    pub(super) fn slice(self, from: usize, to: usize) -> Token<'a> {
        Token {
            text: self.text.get(from..to).unwrap_or(""),
            start: self.start + from,
        }
    }

    /// Splits at the first `delimiter`.
    pub(super) fn split_once(self, delimiter: char) -> Option<(Token<'a>, Token<'a>)> {
        let i = self.text.find(delimiter)?;
        Some((
            self.slice(0, i),
            self.slice(i + delimiter.len_utf8(), self.text.len()),
        ))
    }

    /// Splits at every `delimiter`, keeping empty pieces.
    pub(super) fn split_all(self, delimiter: char) -> Vec<Token<'a>> {
        let mut out = Vec::new();
        let mut from = 0;
        for (i, c) in self.text.char_indices() {
            if c == delimiter {
                out.push(self.slice(from, i));
                from = i + c.len_utf8();
            }
        }
        out.push(self.slice(from, self.text.len()));
        out
    }
}

/// The fields: runs of characters between ASCII whitespace.
pub(super) fn split_fields(expr: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in expr.char_indices() {
        match (c.is_ascii_whitespace(), start) {
            (true, Some(s)) => {
                out.push(Token {
                    text: expr.get(s..i).unwrap_or(""),
                    start: s,
                });
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(Token {
            text: expr.get(s..).unwrap_or(""),
            start: s,
        });
    }
    out
}

pub(super) fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A decimal number; `None` when it does not fit (it is then out of any range).
pub(super) fn number(s: &str) -> Option<u32> {
    s.parse().ok()
}

pub(super) const MONTH_NAMES: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
pub(super) const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
pub(super) const MONTH_FULL: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

pub(super) fn lookup(names: &[&str], upper: &str) -> Option<u32> {
    names
        .iter()
        .position(|&n| n == upper)
        .and_then(|i| u32::try_from(i).ok())
}

/// A name to suggest for a misspelled one.
pub(super) fn suggest_name(names: &[&str], upper: &str) -> Option<&'static str> {
    let known: &[&'static str] = if names.len() == 12 {
        &MONTH_NAMES
    } else {
        &DAY_NAMES
    };
    if let Some(prefix) = upper.get(..3) {
        if let Some(&n) = known.iter().find(|&&n| n == prefix) {
            return Some(n);
        }
    }
    known.iter().copied().find(|n| edit_distance(n, upper) <= 1)
}

/// Levenshtein distance over bytes (the strings here are short ASCII words).
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diagonal = i;
        let mut left = i + 1;
        let mut next = Vec::with_capacity(row.len());
        next.push(left);
        for (j, &cb) in b.iter().enumerate() {
            let up = row.get(j + 1).copied().unwrap_or(usize::MAX - 1);
            let cost = usize::from(ca != cb);
            left = (diagonal + cost).min(up + 1).min(left + 1);
            diagonal = up;
            next.push(left);
        }
        row = next;
    }
    row.last().copied().unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------

/// One field as parsed.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct FieldSpec {
    pub(super) values: Bits,
    /// A bare `*` or `?`: the field is unrestricted.
    pub(super) star: bool,
    pub(super) last: bool,
    pub(super) last_weekday: bool,
    pub(super) nearest: u32,
    pub(super) nth: [u8; 7],
    /// Whether the field's text contains `*` (croniter's collapse rule looks at it).
    pub(super) text_has_star: bool,
}

impl FieldSpec {
    pub(super) fn nth_days(&self) -> u8 {
        let mut mask = 0;
        for (wd, &n) in self.nth.iter().enumerate() {
            if n != 0 {
                mask |= 1 << wd;
            }
        }
        mask
    }

    /// Day-of-week values (7 folded onto 0), plain ones only.
    pub(super) fn weekdays(&self) -> u8 {
        let low = self.values.low();
        ((low | low >> 7) & 0x7f) as u8
    }
}

/// The parsed fields and where they were written.
#[derive(Debug, Default)]
pub(super) struct Fields<'a> {
    pub(super) specs: [Option<(FieldSpec, Token<'a>)>; 7],
}

impl<'a> Fields<'a> {
    pub(super) fn put(&mut self, field: Field, spec: FieldSpec, token: Token<'a>) {
        if let Some(slot) = self.specs.get_mut(field.index()) {
            *slot = Some((spec, token));
        }
    }

    pub(super) fn get(&self, field: Field) -> Option<&(FieldSpec, Token<'a>)> {
        self.specs.get(field.index()).and_then(Option::as_ref)
    }

    pub(super) fn spec(&self, field: Field) -> FieldSpec {
        self.get(field).map(|(s, _)| *s).unwrap_or_default()
    }
}

/// A special day form, recognised on the upper-cased text of a list entry.
pub(super) enum Special<'a> {
    /// `L` (day of month).
    Last,
    /// `LW` (day of month).
    LastWeekday,
    /// `15W` / `W15` (day of month), with the digits.
    Nearest(&'a str),
    /// `L5` (day of week), with the digits.
    LastOf(&'a str),
    /// `5L`, with the digits: not croniter's spelling.
    SuffixL(&'a str),
}

impl<'a> Special<'a> {
    pub(super) fn classify(upper: &'a str) -> Option<Special<'a>> {
        match upper {
            "L" => return Some(Special::Last),
            "LW" => return Some(Special::LastWeekday),
            _ => {}
        }
        if let Some(d) = upper.strip_suffix('W').filter(|d| is_digits(d)) {
            return Some(Special::Nearest(d));
        }
        if let Some(d) = upper.strip_prefix('W').filter(|d| is_digits(d)) {
            return Some(Special::Nearest(d));
        }
        if let Some(d) = upper.strip_prefix('L').filter(|d| is_digits(d)) {
            return Some(Special::LastOf(d));
        }
        if let Some(d) = upper.strip_suffix('L').filter(|d| is_digits(d)) {
            return Some(Special::SuffixL(d));
        }
        None
    }

    /// The field the form belongs to.
    pub(super) fn field(&self) -> Field {
        match self {
            Special::Last | Special::LastWeekday | Special::Nearest(_) => Field::DayOfMonth,
            Special::LastOf(_) | Special::SuffixL(_) => Field::DayOfWeek,
        }
    }

    /// The character a message names.
    pub(super) fn symbol(&self) -> &'static str {
        match self {
            Special::Nearest(_) => "W",
            Special::LastWeekday => "LW",
            _ => "L",
        }
    }
}

/// Inclusive bounds of a list entry before its step.
#[derive(Debug, Clone, Copy)]
pub(super) struct Bounds {
    pub(super) lo: u32,
    pub(super) hi: u32,
    /// Written as one value, not a range.
    pub(super) single: bool,
    /// Both ends written as names.
    pub(super) names: bool,
}

pub(super) struct Parser {
    pub(super) dialect: CronDialect,
    pub(super) errors: Vec<CronError>,
}

impl Parser {
    pub(super) fn error(&mut self, code: &'static str, span: (usize, usize), message: String) {
        self.errors.push(CronError::new(code, span, message, None));
    }

    pub(super) fn error_help(
        &mut self,
        code: &'static str,
        span: (usize, usize),
        message: String,
        help: String,
    ) {
        self.errors
            .push(CronError::new(code, span, message, Some(help)));
    }

    /// Kestra has none of `L`, `W`, `#`, `?`.
    pub(super) fn unsupported_in_kestra(&mut self, token: Token<'_>, symbol: &str) {
        let help = match symbol {
            "#" => "kestra's cron has no `#`; use a `DayWeekInMonth` condition instead".to_string(),
            "?" => "kestra's cron has no `?`; use `*`".to_string(),
            _ => format!("kestra's cron has no `{symbol}`; list the days instead"),
        };
        self.error_help(
            E_UNSUPPORTED,
            token.span(),
            format!("`{}` is not supported by kestra's cron", token.text),
            help,
        );
    }

    pub(super) fn count_error(
        &self,
        expr: &str,
        tokens: &[Token<'_>],
        first: Token<'_>,
        last: Token<'_>,
    ) -> CronError {
        let n = tokens.len();
        let max = self.dialect.max_fields();
        let span = match tokens.get(max) {
            Some(extra) if n > max => (extra.start, last.end()),
            _ => (first.start, last.end()),
        };
        let trimmed = expr.trim_matches(|c: char| c.is_ascii_whitespace());
        let help = match (self.dialect, n) {
            (CronDialect::Kestra, 6) => {
                Some("six fields need `withSeconds: true` (seconds first)".to_string())
            }
            (CronDialect::KestraSeconds, 5) => Some(format!(
                "with `withSeconds: true` the seconds come first, e.g. `0 {trimmed}`"
            )),
            (CronDialect::Generic, 6) => {
                Some("six fields need `with_seconds: true` (seconds first)".to_string())
            }
            (CronDialect::GenericSeconds, 5) => Some(format!(
                "with `with_seconds: true` the seconds come first, e.g. `0 {trimmed}`"
            )),
            (CronDialect::Dagster, 6 | 7) => {
                Some("dagster's `cron_schedule` has no seconds or year field".to_string())
            }
            _ => None,
        };
        let text = expr.get(span.0..span.1).unwrap_or("");
        let found = if n > max {
            format!(
                "found {n}: `{text}` {} extra",
                if n - max == 1 { "is" } else { "are" }
            )
        } else {
            format!("found {n} in `{text}`")
        };
        CronError::new(
            E_FIELD_COUNT,
            span,
            format!("expected {}, {found}", self.dialect.expected()),
            help,
        )
    }

    pub(super) fn nickname(
        &mut self,
        tokens: &[Token<'_>],
        first: Token<'_>,
        last: Token<'_>,
    ) -> Result<Cron, Vec<CronError>> {
        let lower = first.text.to_ascii_lowercase();
        let expansion = NICKNAMES
            .iter()
            .find(|(name, _)| *name == lower)
            .map(|&(_, e)| e);
        if expansion.is_none() {
            let help = if lower == "@reboot" {
                "a backfill replays a schedule, and `@reboot` has none".to_string()
            } else if let Some((name, _)) = NICKNAMES
                .iter()
                .filter(|(name, _)| edit_distance(name, &lower) <= 2)
                .min_by_key(|(name, _)| edit_distance(name, &lower))
            {
                format!("did you mean `{name}`?")
            } else {
                "the nicknames are `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, \
                 `@midnight` and `@hourly`"
                    .to_string()
            };
            self.error_help(
                E_NICKNAME,
                first.span(),
                format!("unknown nickname `{}`", first.text),
                help,
            );
        }
        if let Some(second) = tokens.get(1) {
            self.error(
                E_FIELD_COUNT,
                (second.start, last.end()),
                format!(
                    "a nickname stands alone, but `{}` is followed by {} more field{}",
                    first.text,
                    tokens.len() - 1,
                    if tokens.len() == 2 { "" } else { "s" }
                ),
            );
        }
        let Some(expansion) = expansion.filter(|_| self.errors.is_empty()) else {
            return Err(std::mem::take(&mut self.errors));
        };
        // The expansion is valid in every dialect; spans point at the nickname.
        let mut fields = Fields::default();
        for (&field, text) in UNIX.iter().zip(expansion.split(' ')) {
            let spec = self.field(
                field,
                Token {
                    text,
                    start: first.start,
                },
            );
            fields.put(field, spec, first);
        }
        if !self.errors.is_empty() {
            return Err(std::mem::take(&mut self.errors));
        }
        build(self.dialect, &fields, "").map_err(|e| vec![e])
    }

    /// Parses one field.
    pub(super) fn field(&mut self, field: Field, token: Token<'_>) -> FieldSpec {
        let mut spec = FieldSpec {
            text_has_star: token.text.contains('*'),
            ..FieldSpec::default()
        };
        let items = token.split_all(',');
        let alone = items.len() == 1;
        for (i, &item) in items.iter().enumerate() {
            if item.text.is_empty() {
                // Point at the comma next to the empty entry.
                let span = if i + 1 < items.len() {
                    (item.start, item.start + 1)
                } else {
                    (item.start.saturating_sub(1), item.start)
                };
                // `,,` would otherwise report the same comma twice.
                if self
                    .errors
                    .last()
                    .is_some_and(|e| (e.code, e.start, e.end) == (E_EMPTY_ITEM, span.0, span.1))
                {
                    continue;
                }
                self.error(
                    E_EMPTY_ITEM,
                    span,
                    format!("empty entry in the {} list `{}`", field.name(), token.text),
                );
                continue;
            }
            self.item(field, item, token, alone, &mut spec);
        }
        spec
    }

    /// Parses one list entry into `spec`.
    pub(super) fn item(
        &mut self,
        field: Field,
        item: Token<'_>,
        whole: Token<'_>,
        alone: bool,
        spec: &mut FieldSpec,
    ) {
        let upper = item.text.to_ascii_uppercase();
        if is_hash_form(&upper) {
            let kind = if upper.starts_with('H') {
                "hashed"
            } else {
                "random"
            };
            let help = if kind == "hashed" {
                "`H` is derived from a job's hash id, which a preview does not have; write the value out"
            } else {
                "`R` is drawn anew each time the schedule is loaded; write the value out"
            };
            self.error_help(
                E_HASH,
                item.span(),
                format!("{kind} value `{}` cannot be previewed", item.text),
                help.to_string(),
            );
            return;
        }
        if let Some((i, c)) = item
            .text
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || "*?/-#".contains(c)))
        {
            let start = item.start + i;
            self.error(
                E_MALFORMED,
                (start, start + c.len_utf8()),
                format!("invalid character `{c}` in the {} field", field.name()),
            );
            return;
        }
        if upper.contains('?') {
            self.question(field, item, whole, alone, spec);
        } else if upper.contains('#') {
            self.nth(field, item, spec);
        } else if let Some(special) = Special::classify(&upper) {
            self.special(field, item, &special, alone, spec);
        } else {
            self.range_item(field, item, spec);
        }
    }

    pub(super) fn question(
        &mut self,
        field: Field,
        item: Token<'_>,
        whole: Token<'_>,
        alone: bool,
        spec: &mut FieldSpec,
    ) {
        if !self.dialect.has_extensions() {
            self.unsupported_in_kestra(item, "?");
        } else if !matches!(field, Field::DayOfMonth | Field::DayOfWeek) {
            self.error(
                E_PLACEMENT,
                item.span(),
                format!(
                    "`{}` is only allowed in the day-of-month and day-of-week fields, not the {} field",
                    item.text,
                    field.name()
                ),
            );
        } else if item.text != "?" || !alone {
            self.error(
                E_PLACEMENT,
                whole.span(),
                format!("`?` must stand alone in its field, found `{}`", whole.text),
            );
        } else {
            spec.star = true;
            fill(field, field.bounds().0, field.step_end(), 1, spec);
        }
    }

    pub(super) fn nth(&mut self, field: Field, item: Token<'_>, spec: &mut FieldSpec) {
        if !self.dialect.has_extensions() {
            return self.unsupported_in_kestra(item, "#");
        }
        if field != Field::DayOfWeek {
            return self.error(
                E_PLACEMENT,
                item.span(),
                format!(
                    "`#` is only allowed in the day-of-week field, not in `{}` ({} field)",
                    item.text,
                    field.name()
                ),
            );
        }
        let Some((days, occurrence)) = item.split_once('#') else {
            return;
        };
        let k = match number(occurrence.text).filter(|_| is_digits(occurrence.text)) {
            Some(k @ 1..=5) => Some(k),
            Some(_) => {
                self.error(
                    E_OCCURRENCE,
                    item.span(),
                    format!(
                        "occurrence `{}` in `{}` is out of range 1-5",
                        occurrence.text, item.text
                    ),
                );
                None
            }
            None => {
                self.error(
                    E_OCCURRENCE,
                    item.span(),
                    format!(
                        "expected an occurrence 1-5 after `#` in `{}`, found `{}`",
                        item.text, occurrence.text
                    ),
                );
                None
            }
        };
        if days.text.contains('/') {
            return self.error(
                E_MALFORMED,
                item.span(),
                format!("a step cannot be combined with `#` in `{}`", item.text),
            );
        }
        if days.text.is_empty() {
            return self.error(
                E_EMPTY_ITEM,
                item.span(),
                format!("`{}` is missing the day before `#`", item.text),
            );
        }
        let Some(bounds) = self.bounds(field, days) else {
            return;
        };
        if self.dialect.is_croniter() && !bounds.single && !bounds.names {
            return self.error_help(
                E_UNSUPPORTED,
                item.span(),
                format!("{} does not accept `{}`", self.dialect.label(), item.text),
                "croniter takes `#` after one day or a range of day names, e.g. `MON-FRI#1`"
                    .to_string(),
            );
        }
        let Some(k) = k else {
            return;
        };
        let (lo, hi) = self.widen(field, bounds, None);
        // croniter wraps `FRI-MON#2` around the week, as any range.
        let days: Vec<u32> = if lo > hi {
            (lo..=6).chain(0..=hi).collect()
        } else {
            (lo..=hi).collect()
        };
        for v in days {
            if let Some(slot) = spec.nth.get_mut((v % 7) as usize) {
                *slot |= 1 << (k - 1);
            }
        }
    }

    pub(super) fn special(
        &mut self,
        field: Field,
        item: Token<'_>,
        special: &Special<'_>,
        alone: bool,
        spec: &mut FieldSpec,
    ) {
        if !self.dialect.has_extensions() {
            return self.unsupported_in_kestra(item, special.symbol());
        }
        if field != special.field() {
            let help = match special {
                Special::Last if field == Field::DayOfWeek => {
                    Some("`L` alone is the last day of the month; write `L5` for the last friday")
                }
                Special::LastOf(_) | Special::SuffixL(_) if field == Field::DayOfMonth => {
                    Some("write `L` for the last day of the month")
                }
                _ => None,
            };
            let message = format!(
                "`{}` is not allowed in the {} field",
                item.text,
                field.name()
            );
            match help {
                Some(help) => self.error_help(E_PLACEMENT, item.span(), message, help.into()),
                None => self.error(E_PLACEMENT, item.span(), message),
            }
            return;
        }
        let croniter = self.dialect.is_croniter();
        match *special {
            Special::Last => {
                spec.last = true;
            }
            Special::LastWeekday if croniter => self.error_help(
                E_UNSUPPORTED,
                item.span(),
                format!("{} does not support `{}`", self.dialect.label(), item.text),
                "croniter has no last-weekday `LW`; use `L` for the last day of the month"
                    .to_string(),
            ),
            Special::LastWeekday => spec.last_weekday = true,
            Special::Nearest(digits) => match number(digits) {
                Some(w @ 1..=31) if croniter && !alone => self.error_help(
                    E_W_LIST,
                    item.span(),
                    format!("`{}` must stand alone in the day-of-month field", item.text),
                    format!("croniter takes `W` with a single day only, e.g. `{w}W`"),
                ),
                Some(w @ 1..=31) => spec.nearest |= 1 << w,
                _ => self.error(
                    E_RANGE,
                    item.span(),
                    format!(
                        "nearest-weekday day `{}` in `{}` is out of range 1-31",
                        digits, item.text
                    ),
                ),
            },
            Special::LastOf(digits) => match number(digits) {
                Some(d @ 0..=7) => {
                    if let Some(slot) = spec.nth.get_mut((d % 7) as usize) {
                        *slot |= LAST_OCCURRENCE;
                    }
                }
                _ => self.error(
                    E_RANGE,
                    item.span(),
                    format!(
                        "day-of-week value `{}` in `{}` is out of range 0-7",
                        digits, item.text
                    ),
                ),
            },
            Special::SuffixL(digits) => self.error_help(
                E_UNSUPPORTED,
                item.span(),
                format!(
                    "`{}` is not how {} writes the last weekday of a month",
                    item.text,
                    self.dialect.label()
                ),
                format!("did you mean `L{digits}`?"),
            ),
        }
    }

    /// `*`, `*/s`, `v`, `v/s`, `a-b`, `a-b/s`.
    pub(super) fn range_item(&mut self, field: Field, item: Token<'_>, spec: &mut FieldSpec) {
        let (base, step) = match item.split_once('/') {
            None => (item, None),
            Some((base, step)) => {
                if step.text.contains('/') {
                    return self.error(
                        E_MALFORMED,
                        item.span(),
                        format!("invalid {} value `{}`", field.name(), item.text),
                    );
                }
                (base, Some(step))
            }
        };
        let step = match step {
            None => None,
            Some(step) => match self.step(field, item, step) {
                Some(s) => Some(s),
                None => return,
            },
        };
        if base.text == "*" {
            match step {
                Some(s) => fill(field, field.bounds().0, field.step_end(), s, spec),
                None => {
                    spec.star = true;
                    fill(field, field.bounds().0, field.step_end(), 1, spec);
                }
            }
            return;
        }
        if base.text.is_empty() {
            return self.error(
                E_EMPTY_ITEM,
                item.span(),
                format!("`{}` is missing the start of its step", item.text),
            );
        }
        let Some(bounds) = self.bounds(field, base) else {
            return;
        };
        let (lo, hi) = self.widen(field, bounds, step);
        if lo > hi {
            fill_croniter_wrap(field, lo, hi, step.unwrap_or(1), spec);
        } else {
            fill(field, lo, hi, step.unwrap_or(1), spec);
        }
    }

    pub(super) fn step(&mut self, field: Field, item: Token<'_>, step: Token<'_>) -> Option<u32> {
        if step.text.is_empty() {
            self.error(
                E_STEP,
                item.span(),
                format!("missing step after `/` in `{}`", item.text),
            );
            return None;
        }
        if !is_digits(step.text) {
            self.error(
                E_STEP,
                item.span(),
                format!(
                    "step `{}` in the {} value `{}` is not a number",
                    step.text,
                    field.name(),
                    item.text
                ),
            );
            return None;
        }
        match number(step.text) {
            Some(0) => {
                self.error(
                    E_STEP,
                    item.span(),
                    format!("step `0` in `{}` must be at least 1", item.text),
                );
                None
            }
            // A step beyond every range leaves just the start, as a huge one does.
            s => Some(s.unwrap_or(u32::MAX)),
        }
    }

    /// The values a range entry covers before its step, applying croniter's reading of
    /// an equal range (`5-5`) as the whole cycle.
    pub(super) fn widen(&self, field: Field, b: Bounds, step: Option<u32>) -> (u32, u32) {
        if b.single {
            match step {
                // `v/s` runs to the field's end; day-of-week 7 is Sunday, 0. cron-utils
                // (Kestra) steps on to 7, so its `1/2` includes Sunday.
                Some(_) if field == Field::DayOfWeek && self.dialect.is_kestra() => (b.lo % 7, 7),
                Some(_) if field == Field::DayOfWeek => {
                    let lo = b.lo % 7;
                    (lo, field.step_end())
                }
                Some(_) => (b.lo, field.step_end()),
                None => (b.lo, b.lo),
            }
        } else if self.dialect.is_croniter() && b.lo == b.hi {
            (field.bounds().0, field.step_end())
        } else {
            (b.lo, b.hi)
        }
    }

    /// `a` or `a-b` (names allowed, `L` as the end of a day-of-month range).
    pub(super) fn bounds(&mut self, field: Field, base: Token<'_>) -> Option<Bounds> {
        let parts = base.split_all('-');
        match parts.as_slice() {
            [single] => {
                let (v, name) = self.atom(field, *single, false)?;
                Some(Bounds {
                    lo: v,
                    hi: v,
                    single: true,
                    names: name,
                })
            }
            [lo, hi] => {
                if lo.text.is_empty() || hi.text.is_empty() {
                    let which = if lo.text.is_empty() { "start" } else { "end" };
                    self.error(
                        E_EMPTY_ITEM,
                        base.span(),
                        format!("range `{}` is missing its {which}", base.text),
                    );
                    return None;
                }
                let lo_atom = self.atom(field, *lo, false);
                let hi_atom = self.atom(field, *hi, true);
                let ((mut lo_v, lo_name), (mut hi_v, hi_name)) = (lo_atom?, hi_atom?);
                if self.dialect.is_croniter() {
                    // croniter reads day-of-week 7 as 0 before it looks at the range,
                    // and wraps a range whose start is after its end around the field.
                    if field == Field::DayOfWeek {
                        lo_v %= 7;
                        hi_v %= 7;
                    }
                    return Some(Bounds {
                        lo: lo_v,
                        hi: hi_v,
                        single: false,
                        names: lo_name && hi_name,
                    });
                }
                // `SAT-SUN` is the weekend, not a reversed range. cron-utils (Kestra) maps
                // the name `SUN` to 7 at either end, so its `SUN-TUE` is reversed.
                if field == Field::DayOfWeek && hi_name && hi_v == 0 {
                    hi_v = 7;
                }
                if field == Field::DayOfWeek && lo_name && lo_v == 0 && self.dialect.is_kestra() {
                    lo_v = 7;
                }
                if lo_v > hi_v {
                    let (min, max) = (field.bounds().0, field.step_end());
                    let wrap = format!("{lo_v}-{max},{min}-{hi_v}");
                    let help = if self.dialect.is_croniter() {
                        format!("croniter would wrap it around as `{wrap}`; write that instead")
                    } else {
                        format!("to wrap around the end of the field, write `{wrap}`")
                    };
                    self.error_help(
                        E_REVERSED,
                        base.span(),
                        format!("range `{}` is reversed: it starts after it ends", base.text),
                        help,
                    );
                    return None;
                }
                Some(Bounds {
                    lo: lo_v,
                    hi: hi_v,
                    single: false,
                    names: lo_name && hi_name,
                })
            }
            _ => {
                self.error(
                    E_MALFORMED,
                    base.span(),
                    format!(
                        "invalid {} range `{}`: expected `start-end`",
                        field.name(),
                        base.text
                    ),
                );
                None
            }
        }
    }

    /// One number or name; the flag says it was a name.
    pub(super) fn atom(
        &mut self,
        field: Field,
        atom: Token<'_>,
        high: bool,
    ) -> Option<(u32, bool)> {
        let (lo, hi) = field.bounds();
        if is_digits(atom.text) {
            return match number(atom.text).filter(|v| (lo..=hi).contains(v)) {
                Some(v) => Some((v, false)),
                None => {
                    self.error(
                        E_RANGE,
                        atom.span(),
                        format!(
                            "{} value `{}` is out of range {lo}-{hi}",
                            field.name(),
                            atom.text
                        ),
                    );
                    None
                }
            };
        }
        let upper = atom.text.to_ascii_uppercase();
        if upper == "L" && field == Field::DayOfMonth && high {
            if !self.dialect.has_extensions() {
                self.unsupported_in_kestra(atom, "L");
                return None;
            }
            return Some((31, false));
        }
        if !upper.bytes().all(|b| b.is_ascii_alphabetic()) {
            self.error(
                E_MALFORMED,
                atom.span(),
                format!("invalid {} value `{}`", field.name(), atom.text),
            );
            return None;
        }
        let names: &[&str] = match field {
            Field::Month => &MONTH_NAMES,
            Field::DayOfWeek => &DAY_NAMES,
            _ => &[],
        };
        if let Some(v) = lookup(names, &upper) {
            return Some((v + u32::from(field == Field::Month), true));
        }
        let other_kind = if lookup(&MONTH_NAMES, &upper).is_some() {
            Some("month")
        } else if lookup(&DAY_NAMES, &upper).is_some() {
            Some("day-of-week")
        } else {
            None
        };
        match (names.is_empty(), other_kind) {
            (_, Some(kind)) => self.error(
                E_NAME,
                atom.span(),
                format!(
                    "`{}` is a {kind} name, but this is the {} field ({lo}-{hi})",
                    atom.text,
                    field.name()
                ),
            ),
            (true, None) if upper == "L" && field == Field::DayOfMonth => self.error(
                E_MALFORMED,
                atom.span(),
                "`L` can only end a day-of-month range, as in `10-L`".to_string(),
            ),
            (true, None) => self.error(
                E_MALFORMED,
                atom.span(),
                format!("invalid {} value `{}`", field.name(), atom.text),
            ),
            (false, None) => {
                let (kind, range) = if field == Field::Month {
                    ("month", "`JAN`-`DEC`")
                } else {
                    ("day-of-week", "`SUN`-`SAT`")
                };
                let help = match suggest_name(names, &upper) {
                    Some(name) => format!("did you mean `{name}`?"),
                    None => format!("{kind} names are {range}"),
                };
                self.error_help(
                    E_NAME,
                    atom.span(),
                    format!("unknown {kind} name `{}`", atom.text),
                    help,
                );
            }
        }
        None
    }

    /// Checks across a field's entries (croniter's rules), once every field is parsed.
    pub(super) fn check_fields(&mut self, fields: &Fields<'_>) {
        if !self.dialect.is_croniter() {
            return;
        }
        if let Some((dow, token)) = fields.get(Field::DayOfWeek) {
            let nth = dow.nth_days();
            let plain_only = dow.weekdays() & !nth;
            let distinct = (dow.weekdays() | nth).count_ones();
            if nth != 0 && plain_only != 0 && distinct != 7 {
                self.error_help(
                    E_NTH_MIX,
                    token.span(),
                    format!(
                        "croniter cannot mix plain days with `#` or `L` days in `{}`",
                        token.text
                    ),
                    "use only `#`/`L` entries here, or split the schedule in two".to_string(),
                );
            }
        }
    }
}

pub(super) const NICKNAMES: [(&str, &str); 7] = [
    ("@yearly", "0 0 1 1 *"),
    ("@annually", "0 0 1 1 *"),
    ("@monthly", "0 0 1 * *"),
    ("@weekly", "0 0 * * 0"),
    ("@daily", "0 0 * * *"),
    ("@midnight", "0 0 * * *"),
    ("@hourly", "0 * * * *"),
];

/// croniter's hashed (`H`, `H(0-29)`, `H/5`) and random (`R`) values.
pub(super) fn is_hash_form(upper: &str) -> bool {
    let mut chars = upper.chars();
    matches!(chars.next(), Some('H' | 'R')) && matches!(chars.next(), None | Some('(' | '/'))
}

/// Adds `lo..=hi` by `step` (day-of-week 7 folds onto 0; years are stored from 1970).
pub(super) fn fill(field: Field, lo: u32, hi: u32, step: u32, spec: &mut FieldSpec) {
    let step = usize::try_from(step).unwrap_or(usize::MAX).max(1);
    for v in (lo..=hi).step_by(step) {
        let bit = match field {
            Field::DayOfWeek => v % 7,
            Field::Year => v - YearBits::FIRST as u32,
            _ => v,
        };
        spec.values.insert(bit);
    }
}

/// croniter's wrap-around range `lo-hi` with `lo > hi` (`Apr-Feb`, `fri-mon`, `22-2/3`):
/// from `lo` to the field's end by `step`, then from the field's start again up to `hi`.
/// The second half starts where croniter starts it (`croniter.expand`): at the field's
/// start plus `step - (end - last)` when the step overshoots the end by more than one
/// value, else at the field's start. So `50-10/3` in minutes is `50,53,56,59,3,6,9`
/// (not `…,2,5,8`) and `22-2/3` in hours is `22,2`.
pub(super) fn fill_croniter_wrap(field: Field, lo: u32, hi: u32, step: u32, spec: &mut FieldSpec) {
    let (min, max) = (field.bounds().0, field.step_end());
    let step_usize = usize::try_from(step).unwrap_or(usize::MAX).max(1);
    let first: Vec<u32> = (lo..=max).step_by(step_usize).collect();
    let mut skip = 0;
    if let Some(&last) = first.last() {
        let behind = max - last;
        if u64::from(last - min) + u64::from(step) > u64::from(max - min + 1) && behind < step {
            skip = step - behind;
        }
    }
    fill(field, lo, max, step, spec);
    if let Some(from) = min.checked_add(skip).filter(|f| *f <= hi) {
        fill(field, from, hi, step, spec);
    }
}

// ---------------------------------------------------------------------------------------
// Building a Cron
// ---------------------------------------------------------------------------------------

/// Assembles the masks and tables, and checks that the schedule can fire.
pub(super) fn build(
    dialect: CronDialect,
    fields: &Fields<'_>,
    expr: &str,
) -> Result<Cron, CronError> {
    let croniter = dialect.is_croniter();
    let seconds = match fields.get(Field::Second) {
        Some((spec, _)) => spec.values.low(),
        None => 1,
    };
    let minutes = fields.spec(Field::Minute).values.low();
    let hours = (fields.spec(Field::Hour).values.low() & u64::from(ALL_HOURS)) as u32;
    let months = (fields.spec(Field::Month).values.low() & 0x1ffe) as u16;
    let dom = fields.spec(Field::DayOfMonth);
    let dow = fields.spec(Field::DayOfWeek);
    let years = fields
        .get(Field::Year)
        .map(|(spec, _)| *spec)
        // `*`, and in croniter any list of all 130 years, means every year.
        .filter(|spec| !spec.star && spec.values.count() < Field::Year.cycle())
        .map(|spec| YearBits(spec.values));

    let (dom_star, dow_star) = if croniter {
        // croniter collapses a day field holding every value to `*` when the other
        // day field's text contains a `*` (`LEN_MEANS_ALL` in croniter's `_expand`).
        let dom_count = dom.values.count() + u32::from(dom.last) + dom.nearest.count_ones();
        let dow_count = (dow.weekdays() | dow.nth_days()).count_ones();
        (
            dom.star || (dom_count == Field::DayOfMonth.cycle() && dow.text_has_star),
            dow.star || (dow_count == Field::DayOfWeek.cycle() && dom.text_has_star),
        )
    } else {
        (dom.star, dow.star)
    };
    let days = DaySpec {
        dom: (dom.values.low() & 0xffff_fffe) as u32,
        last: dom.last,
        last_weekday: dom.last_weekday,
        nearest: dom.nearest,
        dow: dow.weekdays(),
        nth: dow.nth,
        dom_star,
        dow_star,
        croniter,
    };

    let mut times = Vec::new();
    for h in (0..24).filter(|&h| bit32(hours, h)) {
        for m in (0..60).filter(|&m| bit64(minutes, m)) {
            for s in (0..60).filter(|&s| bit64(seconds, s)) {
                times.push(h * 3600 + m * 60 + s);
            }
        }
    }

    let table = day_table(&days, Part::Whole);
    let mut cron = Cron {
        dialect,
        seconds,
        minutes,
        hours,
        months,
        years,
        days,
        day_table: table,
        year_prefix: year_prefix(&table, months).into_boxed_slice(),
        month_prefix: month_prefix(&table, months),
        times,
        total: 0,
    };
    cron.total = cron.fires_before(end_civil());
    if cron.total == 0 {
        return Err(never_fires(fields, &cron, expr));
    }
    if croniter {
        if let Some(error) = croniter_split_error(&days, months, fields) {
            return Err(error);
        }
    }
    Ok(cron)
}

/// E0317: croniter evaluates "dom OR dow" as two searches, one with each day field
/// blanked; `#`, `L5` and `W` survive the blanking, so when one of those searches can never
/// succeed croniter raises `CroniterBadDateError` instead of using the other.
pub(super) fn croniter_split_error(
    days: &DaySpec,
    months: u16,
    fields: &Fields<'_>,
) -> Option<CronError> {
    if days.dom_star || days.dow_star || (days.nearest == 0 && !days.has_nth()) {
        return None;
    }
    let side_fires = |part| {
        let table = day_table(days, part);
        year_prefix(&table, months).last().copied().unwrap_or(0) > 0
    };
    if side_fires(Part::DomSide) && side_fires(Part::DowSide) {
        return None;
    }
    let dom = fields.get(Field::DayOfMonth).map(|(_, t)| *t)?;
    let dow = fields.get(Field::DayOfWeek).map(|(_, t)| *t)?;
    let (a, b) = (dom.text, dow.text);
    Some(CronError::new(
        E_CRONITER_FAILS,
        (dom.start, dow.end()),
        format!(
            "croniter cannot iterate this schedule: with `#`, `L` or `W` it needs a day \
             matching both `{a}` and `{b}`, and there is none"
        ),
        Some(format!(
            "croniter raises `CroniterBadDateError` here; keep only `{a}` or only `{b}`"
        )),
    ))
}

/// E0313, spanning the restricted date fields.
pub(super) fn never_fires(fields: &Fields<'_>, cron: &Cron, expr: &str) -> CronError {
    let restricted: Vec<Token<'_>> = [
        Field::DayOfMonth,
        Field::Month,
        Field::DayOfWeek,
        Field::Year,
    ]
    .iter()
    .filter_map(|&f| fields.get(f))
    .filter(|(spec, _)| !spec.star)
    .map(|(_, token)| *token)
    .collect();
    let span = match (restricted.first(), restricted.last()) {
        (Some(a), Some(b)) => (a.start, b.end()),
        _ => (0, 0),
    };
    let days = &cron.days;
    let plain_dom = days.dow_star && !days.last && !days.last_weekday && days.nearest == 0;
    let smallest_day = days.dom.trailing_zeros();
    let help = if plain_dom && days.dom != 0 {
        let allowed: Vec<u32> = (1..=12).filter(|&m| bit16(cron.months, m)).collect();
        let longest = allowed
            .iter()
            .map(|&m| days_in_month(2000, m))
            .max()
            .unwrap_or(31);
        let names: Vec<&str> = allowed
            .iter()
            .filter_map(|&m| MONTH_FULL.get(m as usize - 1).copied())
            .collect();
        let list = match names.as_slice() {
            [one] => (*one).to_string(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
            [] => String::new(),
        };
        let verb = if names.len() == 1 { "has" } else { "have" };
        (smallest_day > longest).then(|| format!("{list} {verb} at most {longest} days"))
    } else {
        None
    };
    let text = expr.get(span.0..span.1).unwrap_or("");
    CronError::new(
        E_NEVER,
        span,
        format!("`{text}` never fires: no date matches it"),
        help,
    )
}
