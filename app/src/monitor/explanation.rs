//! What the decoder says of a line, as every part of the monitor shares it: how to show
//! the line ([`Level`]), where it came from ([`Source`]), and its [`Explanation`] (cause
//! and fix). Low in the monitor: the tables, the family rules and the broker's advice
//! build these; the decoder hands them out.

use std::borrow::Cow;

use serde::Serialize;

use super::tables::Entry;

/// How a line should be shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Detail.
    Debug,
    /// Ordinary output.
    Info,
    /// A stage succeeded.
    Success,
    /// Something to look at.
    Warn,
    /// A failure.
    Error,
}

/// Where a line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// A thingflash event line.
    Event,
    /// The ESP32 boot ROM.
    Rom,
    /// A panic or backtrace.
    Panic,
    /// ESP-IDF / esp-tls / mbedtls-rs log output.
    EspIdf,
    /// Arduino (BearSSL, PubSubClient).
    Arduino,
    /// Anything else.
    Plain,
}

/// Cause and fix, in plain words. Boxed: most lines have none, and a retained log
/// holds up to a million lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Explanation(Box<ExplanationText>);

/// The text of an [`Explanation`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExplanationText {
    /// The rule that explained it: a stable id (`mbedtls-code`, `esp8266-exception`, ...).
    pub rule: Cow<'static, str>,
    /// Where the explained code occurs (library version, framework, chips), when known.
    #[serde(skip_serializing_if = "str::is_empty")]
    pub applies: Cow<'static, str>,
    /// One line: what happened.
    pub title: Cow<'static, str>,
    /// Why, for this board.
    pub cause: Cow<'static, str>,
    /// What to do.
    pub fix: Cow<'static, str>,
}

impl std::ops::Deref for Explanation {
    type Target = ExplanationText;
    fn deref(&self) -> &ExplanationText {
        &self.0
    }
}

impl std::ops::DerefMut for Explanation {
    fn deref_mut(&mut self) -> &mut ExplanationText {
        &mut self.0
    }
}

impl Explanation {
    /// An explanation from a table entry.
    pub fn entry(
        rule: &'static str,
        title: impl Into<Cow<'static, str>>,
        e: &'static Entry,
    ) -> Self {
        Self::new(title, e.cause, e.fix)
            .with_rule(rule)
            .with_applies(e.applies)
    }

    /// The same, with its rule id.
    pub fn with_rule(mut self, rule: impl Into<Cow<'static, str>>) -> Self {
        self.0.rule = rule.into();
        self
    }

    /// The same, saying where the code applies.
    pub fn with_applies(mut self, applies: &'static str) -> Self {
        self.0.applies = applies.into();
        self
    }

    /// An explanation from its three parts.
    pub fn new(
        title: impl Into<Cow<'static, str>>,
        cause: impl Into<Cow<'static, str>>,
        fix: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self(Box::new(ExplanationText {
            rule: Cow::Borrowed(""),
            applies: Cow::Borrowed(""),
            title: title.into(),
            cause: cause.into(),
            fix: fix.into(),
        }))
    }
}
