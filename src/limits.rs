//! Caps on what the crate reads from outside, so that whatever a web form, a pipe or a device
//! sends costs at most the cap: free text (fuzzy matching is quadratic in string length) and
//! the bytes of every file and stream.
//!
//! The byte caps are enforced on the bytes actually read, not on a size the file reports: a
//! pipe or `/dev/zero` reports none. A profile and a partner file, from a file, stdin or any
//! reader, are read through one capped reader that fails at the first byte over the cap; a
//! profiles CSV, which may have any number of rows because it is streamed, is read a line at
//! a time with the same rule for each line.
//!
//! It sits at the bottom of the data flow: profile resolution, the data layer and the
//! readers all read it, and it reads nothing of the crate.

use std::io::{self, Read};

/// Longest accepted `name`, in characters.
pub const NAME_CHARS: usize = 200;
/// Longest accepted sector, keyword or region string, in characters.
pub const TERM_CHARS: usize = 100;
/// Most `sectors` entries.
pub const SECTORS: usize = 32;
/// Most `keywords` entries.
pub const KEYWORDS: usize = 64;
/// Most `preferred_regions` entries.
pub const REGIONS: usize = 32;
/// Largest profile JSON accepted, in bytes
/// ([`Profile::from_json`](crate::Profile::from_json),
/// [`Profile::from_reader`](crate::Profile::from_reader)).
pub const JSON_BYTES: usize = 64 * 1024;
/// Largest partner file accepted, in bytes
/// ([`DatasetBuilder::partners_reader`](crate::DatasetBuilder::partners_reader)): room for
/// about 200,000 records.
pub const PARTNER_FILE_BYTES: usize = 256 * 1024 * 1024;
/// Longest line of a profiles CSV, in bytes ([`csvio::ProfileReader`](crate::csvio::ProfileReader)):
/// a profile row at its caps fits well inside it. The file itself may have any number of
/// rows; they are read one at a time.
pub const CSV_ROW_BYTES: usize = 64 * 1024;

/// A reader that yields at most `cap` bytes of `inner` and fails, with
/// [`io::ErrorKind::InvalidData`], as soon as a byte beyond the cap arrives.
#[derive(Debug)]
pub(crate) struct Capped<R> {
    inner: R,
    left: u64,
    cap: u64,
}

impl<R: Read> Capped<R> {
    pub(crate) fn new(inner: R, cap: usize) -> Capped<R> {
        Capped {
            inner,
            left: cap as u64,
            cap: cap as u64,
        }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            // At the cap: the input may end here, or one more byte shows it is too long.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(over(self.cap)),
            };
        }
        let n = buf.len().min(self.left.min(usize::MAX as u64) as usize);
        let got = self.inner.read(&mut buf[..n])?;
        self.left -= got as u64;
        Ok(got)
    }
}

/// The error of input over its cap.
pub(crate) fn over(cap: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("more than {cap} bytes, the limit for this input"),
    )
}

/// Reads all of `reader`, at most `cap` bytes: input beyond the cap is an error, found after
/// reading `cap + 1` bytes at most, whatever size the source claims.
pub(crate) fn read_capped(reader: impl Read, cap: usize) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    Capped::new(reader, cap).read_to_end(&mut out)?;
    Ok(out)
}

/// Reads all of `reader` as UTF-8 text, at most `cap` bytes, without a leading byte-order
/// mark; invalid UTF-8 is an `InvalidData` error.
pub(crate) fn read_text(reader: impl Read, cap: usize) -> io::Result<String> {
    let mut bytes = read_capped(reader, cap)?;
    if strip_bom(&bytes).len() < bytes.len() {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// The bytes without a leading UTF-8 byte-order mark, which some editors write and JSON does
/// not allow.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_holds_on_bytes_read_whatever_the_source() {
        assert_eq!(read_capped(&b"abc"[..], 3).unwrap(), b"abc");
        assert!(read_capped(&b"abcd"[..], 3).is_err());
        // An endless source fails after the cap plus one byte.
        let zeros = std::io::repeat(0);
        let e = read_capped(zeros, 1024).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("1024"), "{e}");
        assert_eq!(strip_bom(b"\xEF\xBB\xBF{}"), b"{}");
        assert_eq!(strip_bom(b"{}"), b"{}");
    }
}
