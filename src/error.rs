//! The crate's one error type.

use std::fmt;

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in this crate: bad data files, bad profiles, bad options.
///
/// # Design
///
/// Every error comes from input: a data file, a profile or an option. Past the boundary where
/// input is validated (loading a [`Dataset`](crate::Dataset), parsing a
/// [`Profile`](crate::Profile), resolving it), nothing fails. So each variant carries what a
/// person needs to fix the input: the file, the record and the field for data files; the field,
/// the offending value and the closest valid values for profiles. Messages are lower case
/// without a trailing period, so they compose (`"loading partners: {err}"`).
///
/// The enum is `#[non_exhaustive]` because later validation steps will add variants; match on
/// the ones you handle and keep a wildcard arm. Its messages never hold a control character:
/// input quoted in them (a name with an escape sequence or a line break) is shown escaped,
/// `\u{1b}`, so that a message stays one line of plain text in a terminal or a log. It is
/// `Clone` so that a failed load of the embedded data can be reported to every caller.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file (data file or profile) is not well-formed JSON, or does not have the expected
    /// shape (unknown field, missing field, wrong type).
    #[error("{}: {} (line {line}, column {column})", Shown(.file), Shown(.message))]
    Json {
        /// The file name, or `"<profile>"` for a profile given as a string.
        file: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What serde_json reported.
        message: String,
    },
    /// A record of a data file breaks one of the data's invariants.
    #[error("{}: record `{}`, field `{}`: {}", Shown(.file), Shown(.record), Shown(.field), Shown(.message))]
    Data {
        /// The file name.
        file: String,
        /// The record's id (or its position, when the id itself is the problem).
        record: String,
        /// The offending field, with its index for list fields (`sectors[2]`).
        field: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A profile field has a value that cannot be used.
    #[error("profile field `{}`: {}{}", Shown(.field), Shown(.message), Suggestions(suggestions))]
    Profile {
        /// The offending field, with its index for list fields (`sectors[1]`).
        field: String,
        /// What is wrong and what was expected.
        message: String,
        /// The closest valid values, best first, when a name looks misspelt.
        suggestions: Vec<String>,
    },
    /// An option or weight given to the recommender is out of range.
    #[error("option `{}`: {}", Shown(.option), Shown(.message))]
    Option {
        /// The option's name, e.g. `weights.sector`.
        option: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A file could not be read, or an input is over its cap.
    #[error("cannot read {}: {}", Shown(.path), Shown(.message))]
    Io {
        /// The path as given.
        path: String,
        /// The operating system's message, or what cap was passed.
        message: String,
        /// The underlying error ([`std::error::Error::source`] returns it).
        #[source]
        source: IoSource,
    },
    /// An output (a file, stdout, a writer given to the crate) could not be written.
    #[error("cannot write {}: {}", Shown(.path), Shown(.message))]
    Write {
        /// The path as given, or `<output>` for a writer.
        path: String,
        /// The operating system's message.
        message: String,
    },
}

/// The [`std::io::Error`] behind an [`Error::Io`], shared so that [`Error`] stays `Clone`;
/// equal when kind and message are.
#[derive(Debug, Clone)]
pub struct IoSource(std::sync::Arc<std::io::Error>);

impl IoSource {
    /// The I/O error.
    pub fn get(&self) -> &std::io::Error {
        &self.0
    }
}

impl PartialEq for IoSource {
    fn eq(&self, other: &IoSource) -> bool {
        self.0.kind() == other.0.kind() && self.0.to_string() == other.0.to_string()
    }
}

impl std::fmt::Display for IoSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for IoSource {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl Error {
    /// An [`Error::Io`] for `path`, keeping `e` as its source: for programs that read
    /// files themselves and report them as the crate does.
    pub fn io_at(path: impl Into<String>, e: std::io::Error) -> Error {
        Error::io(path, e)
    }

    /// An [`Error::Io`] for `path`, keeping `e` as its source.
    pub(crate) fn io(path: impl Into<String>, e: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            message: e.to_string(),
            source: IoSource(std::sync::Arc::new(e)),
        }
    }

    pub(crate) fn data(
        file: &str,
        record: &str,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Error {
        Error::Data {
            file: file.to_string(),
            record: record.to_string(),
            field: field.into(),
            message: message.into(),
        }
    }

    pub(crate) fn profile(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Profile {
            field: field.into(),
            message: message.into(),
            suggestions: Vec::new(),
        }
    }

    /// A JSON error with the path of the value it is about (`sectors[2]`,
    /// `partners[41].place`), for input read through `serde_path_to_error`.
    pub(crate) fn json_at(file: &str, err: serde_path_to_error::Error<serde_json::Error>) -> Error {
        let path = err.path().to_string();
        match Error::json(file, err.inner()) {
            Error::Json {
                file,
                line,
                column,
                message,
            } if path != "." => Error::Json {
                file,
                line,
                column,
                message: format!("`{path}`: {message}"),
            },
            other => other,
        }
    }

    pub(crate) fn json(file: &str, err: &serde_json::Error) -> Error {
        // serde_json appends " at line L column C" to its message; the variant carries
        // both separately, so strip it to avoid saying it twice.
        let full = err.to_string();
        let message = match full.rfind(" at line ") {
            Some(i) => full[..i].to_string(),
            None => full,
        };
        Error::Json {
            file: file.to_string(),
            line: err.line(),
            column: err.column(),
            message,
        }
    }

    /// The suggestions carried by a profile error (closest valid values, best first); empty
    /// for other errors.
    pub fn suggestions(&self) -> &[String] {
        match self {
            Error::Profile { suggestions, .. } => suggestions,
            _ => &[],
        }
    }
}

/// Text from input as it is safe to show in a terminal or a log: control characters (escape
/// sequences, line breaks, NUL) written as `\u{..}`, so that an error message is one line and
/// cannot drive the terminal.
struct Shown<'a>(&'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "\\u{{{:x}}}", u32::from(c))?;
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        Ok(())
    }
}

struct Suggestions<'a>(&'a [String]);

impl fmt::Display for Suggestions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return Ok(());
        }
        f.write_str("; did you mean ")?;
        for (i, s) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(if i + 1 == self.0.len() { " or " } else { ", " })?;
            }
            write!(f, "`{}`", Shown(s))?;
        }
        f.write_str("?")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_show_control_characters_escaped() {
        let e = Error::Option {
            option: "filter.provinces[0]".into(),
            message: "`\u{1b}[31mred\nline` is not a province".into(),
        };
        let shown = e.to_string();
        assert_eq!(
            shown,
            "option `filter.provinces[0]`: `\\u{1b}[31mred\\u{a}line` is not a province"
        );
        assert!(!shown.chars().any(char::is_control));
    }

    #[test]
    fn profile_error_lists_suggestions() {
        let e = Error::Profile {
            field: "sectors[0]".into(),
            message: "`biotek` matches no sector".into(),
            suggestions: vec!["biotechnology".into(), "biotech".into(), "bioenergy".into()],
        };
        assert_eq!(
            e.to_string(),
            "profile field `sectors[0]`: `biotek` matches no sector; \
             did you mean `biotechnology`, `biotech` or `bioenergy`?"
        );
    }

    #[test]
    fn json_error_has_line_and_column_once() {
        let err = serde_json::from_str::<serde_json::Value>("{\n  \"a\": }").unwrap_err();
        let e = Error::json("p.json", &err);
        let s = e.to_string();
        assert!(s.starts_with("p.json: "), "{s}");
        assert!(s.ends_with("(line 2, column 8)"), "{s}");
        assert_eq!(s.matches("line").count(), 1, "{s}");
    }
}
