//! Espressif's `esp_secure_cert` TLV partition: the bytes thingflash writes into the
//! credentials partition and the firmware reads back.
//!
//! Byte-compatible with `esp_secure_cert_mgr` (C) and `configure_esp_secure_cert.py`
//! (Python): a record is a 12-byte header (magic `0xBA5EBA11`, flags, 3 reserved bytes,
//! type, subtype, little-endian `u16` length), the value, zero padding to a multiple of
//! 16 bytes, and a CRC-32 footer. Records follow each other from offset 0; the first
//! position that does not start with the magic ends the list. An optional integrity
//! record (type 9) holds the SHA-256 of every byte before it.
//!
//! The parser is bounded and total: any input gives records or a [`TlvError`], never a
//! panic, and it never reads past the slice it is given.

use alloc::vec::Vec;
use sha2::{Digest, Sha256};

/// Magic at the start of every record.
pub const MAGIC: u32 = 0xBA5E_BA11;
/// Header bytes before the value.
pub const HEADER_LEN: usize = 12;
/// CRC bytes after the padded value.
pub const FOOTER_LEN: usize = 4;
/// Values are zero-padded to this alignment (flash-encryption block size).
pub const ALIGN: usize = 16;
/// Partition label the C reader and our firmware look for.
pub const PARTITION_LABEL: &str = "esp_secure_cert";
/// Partition type Espressif assigns to `esp_secure_cert` (application-defined range).
pub const PARTITION_TYPE: u8 = 0x3F;
/// Partition subtype Espressif uses.
pub const PARTITION_SUBTYPE: u8 = 0x00;
/// Espressif's default partition size (8 KiB).
pub const DEFAULT_PARTITION_SIZE: usize = 0x2000;
/// Largest partition the parser accepts. Anything bigger is not a credentials partition.
pub const MAX_PARTITION_SIZE: usize = 0x1_0000;
/// Length of the integrity record's value (a SHA-256 digest).
pub const INTEGRITY_LEN: usize = 32;

/// A record type. Known values are associated constants; others are carried as-is so
/// that records written by newer tools survive a read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TlvType(pub u8);

impl TlvType {
    /// A CA certificate the device trusts (for thingflash: the server's root CA).
    pub const CA_CERT: Self = Self(0);
    /// The device certificate.
    pub const DEV_CERT: Self = Self(1);
    /// The device private key.
    pub const PRIV_KEY: Self = Self(2);
    /// Digital-signature peripheral data (not written by thingflash).
    pub const DS_DATA: Self = Self(3);
    /// Digital-signature peripheral context (not written by thingflash).
    pub const DS_CONTEXT: Self = Self(4);
    /// SHA-256 of all partition bytes before this record.
    pub const INTEGRITY: Self = Self(9);
    /// First user-data record; thingflash keeps its device config here.
    pub const USER_DATA_1: Self = Self(51);
    /// Second user-data record.
    pub const USER_DATA_2: Self = Self(52);
    /// Third user-data record.
    pub const USER_DATA_3: Self = Self(53);
    /// Fourth user-data record.
    pub const USER_DATA_4: Self = Self(54);
    /// Fifth user-data record.
    pub const USER_DATA_5: Self = Self(55);

    /// A short human name for logs and reports.
    pub fn name(self) -> &'static str {
        match self.0 {
            0 => "ca_cert",
            1 => "dev_cert",
            2 => "priv_key",
            3 => "ds_data",
            4 => "ds_context",
            5 => "hmac_ecdsa_key_salt",
            6 => "sec_cfg",
            7 => "tee_sec_storage_key",
            8 => "signature_block",
            9 => "integrity",
            51..=55 => "user_data",
            _ => "unknown",
        }
    }
}

/// Why a partition image was rejected. Every variant names the byte offset where the
/// problem was found so that a corrupt flash dump can be inspected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TlvError {
    /// The partition is erased (all `0xFF` where the first record should start).
    #[error(
        "the credentials partition is blank (erased flash): flash the credentials with thingflash"
    )]
    Blank,
    /// The first bytes are neither a record nor erased flash.
    #[error(
        "no esp_secure_cert record at the start of the partition (found 0x{found:08X}): the partition holds something else; reflash the credentials"
    )]
    NotAPartition {
        /// The 32-bit word found where the magic belongs.
        found: u32,
    },
    /// The input is larger than any credentials partition.
    #[error("{len} bytes is larger than a credentials partition can be (at most {max} bytes)")]
    Oversized {
        /// Input length.
        len: usize,
        /// The bound.
        max: usize,
    },
    /// A record's header or value runs past the end of the partition.
    #[error(
        "record at offset {offset} is cut off: the partition was only partly written; reflash the credentials"
    )]
    Truncated {
        /// Record offset.
        offset: usize,
    },
    /// A record's CRC does not match its contents.
    #[error(
        "record at offset {offset} ({kind}) fails its CRC (stored 0x{stored:08X}, computed 0x{computed:08X}): the partition is corrupt or half-written; reflash the credentials"
    )]
    BadCrc {
        /// Record offset.
        offset: usize,
        /// Record type name.
        kind: &'static str,
        /// CRC in the footer.
        stored: u32,
        /// CRC of the bytes.
        computed: u32,
    },
    /// The integrity record's digest does not match the partition.
    #[error(
        "the integrity record at offset {offset} does not match the partition contents: the partition is corrupt; reflash the credentials"
    )]
    IntegrityMismatch {
        /// Offset of the integrity record.
        offset: usize,
    },
    /// The integrity record is not 32 bytes long.
    #[error("the integrity record at offset {offset} has {len} bytes instead of 32")]
    IntegrityLength {
        /// Offset of the integrity record.
        offset: usize,
        /// Its value length.
        len: usize,
    },
    /// A record follows the integrity record, so it is not covered by the digest.
    #[error("record at offset {offset} follows the integrity record and is not protected by it")]
    AfterIntegrity {
        /// Offset of the unprotected record.
        offset: usize,
    },
    /// The partition has records but no integrity record, where one is required.
    #[error(
        "the credentials partition has no integrity record: it was written by an older tool or only partly; reflash the credentials"
    )]
    IntegrityMissing,
    /// A value is longer than a record can hold.
    #[error("a {kind} value of {len} bytes does not fit in one record (at most 65535 bytes)")]
    ValueTooLong {
        /// Record type name.
        kind: &'static str,
        /// Value length.
        len: usize,
    },
    /// The records do not fit in the partition.
    #[error(
        "the credentials need {needed} bytes but the partition has {capacity}: use fewer CA certificates or a larger partition"
    )]
    PartitionFull {
        /// Bytes needed.
        needed: usize,
        /// Partition size.
        capacity: usize,
    },
}

/// One record, borrowed from the partition bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// Byte offset of the record's header within the partition.
    pub offset: usize,
    /// Header flags (key-storage bits; 0 for plain records).
    pub flags: u8,
    /// Record type.
    pub tlv_type: TlvType,
    /// Index among records of the same type (0..=16 in Espressif's tools).
    pub subtype: u8,
    /// The value, without padding.
    pub value: &'a [u8],
}

impl Record<'_> {
    /// Total bytes the record occupies: header, value, padding, footer.
    pub fn encoded_len(&self) -> usize {
        encoded_len(self.value.len())
    }
}

/// Bytes a record with a value of `value_len` bytes occupies.
pub const fn encoded_len(value_len: usize) -> usize {
    HEADER_LEN + padded(value_len) + FOOTER_LEN
}

const fn padded(len: usize) -> usize {
    len.div_ceil(ALIGN) * ALIGN
}

/// CRC-32 as Espressif computes it: Python's `zlib.crc32(buf, 0xffffffff)`, i.e. the
/// reflected IEEE polynomial started from a register that is already inverted.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new_with_initial(0xFFFF_FFFF);
    hasher.update(bytes);
    hasher.finalize()
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Iterator over the records of a partition, checking each record's bounds and CRC.
///
/// It ends at the first offset that does not hold the magic (that is where Espressif's
/// reader stops too), or after the first error.
pub struct Records<'a> {
    bytes: &'a [u8],
    offset: usize,
    done: bool,
}

/// Iterate over the records in `bytes`. See [`Records`].
pub fn records(bytes: &[u8]) -> Records<'_> {
    Records {
        bytes,
        offset: 0,
        done: false,
    }
}

impl<'a> Records<'a> {
    fn next_record(&mut self) -> Option<Result<Record<'a>, TlvError>> {
        let offset = self.offset;
        let magic = read_u32(self.bytes, offset)?;
        if magic != MAGIC {
            return None;
        }
        let Some(header) = self.bytes.get(offset..offset + HEADER_LEN) else {
            return Some(Err(TlvError::Truncated { offset }));
        };
        let flags = header[4];
        let tlv_type = TlvType(header[8]);
        let subtype = header[9];
        let len = usize::from(u16::from_le_bytes([header[10], header[11]]));
        let body_end = offset + HEADER_LEN + padded(len);
        let end = body_end + FOOTER_LEN;
        let (Some(body), Some(stored)) = (
            self.bytes.get(offset..body_end),
            read_u32(self.bytes, body_end),
        ) else {
            return Some(Err(TlvError::Truncated { offset }));
        };
        let computed = crc32(body);
        if computed != stored {
            return Some(Err(TlvError::BadCrc {
                offset,
                kind: tlv_type.name(),
                stored,
                computed,
            }));
        }
        self.offset = end;
        Some(Ok(Record {
            offset,
            flags,
            tlv_type,
            subtype,
            value: &body[HEADER_LEN..HEADER_LEN + len],
        }))
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, TlvError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = self.next_record();
        if !matches!(item, Some(Ok(_))) {
            self.done = true;
        }
        item
    }
}

/// Whether the partition carried an integrity record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Integrity {
    /// An integrity record was present and matched every byte before it.
    Verified,
    /// No integrity record (older Espressif tools write none).
    Absent,
}

/// A fully checked partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partition<'a> {
    /// The records in flash order, the integrity record excluded.
    pub records: Vec<Record<'a>>,
    /// Integrity status.
    pub integrity: Integrity,
    /// Bytes used by records (where the free, `0xFF`-filled tail begins).
    pub used_len: usize,
}

impl<'a> Partition<'a> {
    /// Parse and check a partition image: bounds, CRC of every record and, when present,
    /// the integrity record, which must be the last record.
    ///
    /// ```
    /// use thingflash_protocol::tlv::{Partition, PartitionWriter, TlvType, Integrity};
    /// let mut w = PartitionWriter::new(0x2000);
    /// w.push(TlvType::DEV_CERT, 0, 0, b"certificate DER")?;
    /// let image = w.finish()?;
    /// let p = Partition::parse(&image)?;
    /// assert_eq!(p.integrity, Integrity::Verified);
    /// assert_eq!(p.first(TlvType::DEV_CERT).map(|r| r.value), Some(&b"certificate DER"[..]));
    /// # Ok::<(), thingflash_protocol::tlv::TlvError>(())
    /// ```
    pub fn parse(bytes: &'a [u8]) -> Result<Self, TlvError> {
        if bytes.len() > MAX_PARTITION_SIZE {
            return Err(TlvError::Oversized {
                len: bytes.len(),
                max: MAX_PARTITION_SIZE,
            });
        }
        match read_u32(bytes, 0) {
            None | Some(0xFFFF_FFFF) => return Err(TlvError::Blank),
            Some(MAGIC) => {}
            Some(found) => return Err(TlvError::NotAPartition { found }),
        }
        let mut out = Vec::new();
        let mut integrity = Integrity::Absent;
        let mut used_len = 0;
        for record in records(bytes) {
            let record = record?;
            if integrity == Integrity::Verified {
                return Err(TlvError::AfterIntegrity {
                    offset: record.offset,
                });
            }
            used_len = record.offset + record.encoded_len();
            if record.tlv_type == TlvType::INTEGRITY {
                if record.value.len() != INTEGRITY_LEN {
                    return Err(TlvError::IntegrityLength {
                        offset: record.offset,
                        len: record.value.len(),
                    });
                }
                let digest = Sha256::digest(&bytes[..record.offset]);
                if digest.as_slice() != record.value {
                    return Err(TlvError::IntegrityMismatch {
                        offset: record.offset,
                    });
                }
                integrity = Integrity::Verified;
            } else {
                out.push(record);
            }
        }
        Ok(Self {
            records: out,
            integrity,
            used_len,
        })
    }

    /// Like [`Partition::parse`], but a partition without an integrity record is an error.
    /// The firmware uses this: a write that stopped half-way has no integrity record
    /// (it is written last), so it can never pass for a complete partition.
    pub fn parse_strict(bytes: &'a [u8]) -> Result<Self, TlvError> {
        let p = Self::parse(bytes)?;
        if p.integrity != Integrity::Verified {
            return Err(TlvError::IntegrityMissing);
        }
        Ok(p)
    }

    /// Every record of a type, in flash order.
    pub fn all(&self, tlv_type: TlvType) -> impl Iterator<Item = &Record<'a>> {
        self.records.iter().filter(move |r| r.tlv_type == tlv_type)
    }

    /// The record of a type with the lowest subtype.
    pub fn first(&self, tlv_type: TlvType) -> Option<&Record<'a>> {
        self.all(tlv_type).min_by_key(|r| r.subtype)
    }
}

/// Builds a partition image record by record; [`PartitionWriter::finish`] appends the
/// integrity record and fills the rest with `0xFF` (erased flash).
#[derive(Debug)]
pub struct PartitionWriter {
    buf: Vec<u8>,
    capacity: usize,
}

impl PartitionWriter {
    /// A writer for a partition of `capacity` bytes.
    pub fn new(capacity: usize) -> Self {
        Self {
            buf: Vec::with_capacity(capacity.min(MAX_PARTITION_SIZE)),
            capacity,
        }
    }

    /// Append a record.
    pub fn push(
        &mut self,
        tlv_type: TlvType,
        subtype: u8,
        flags: u8,
        value: &[u8],
    ) -> Result<(), TlvError> {
        let len = u16::try_from(value.len()).map_err(|_| TlvError::ValueTooLong {
            kind: tlv_type.name(),
            len: value.len(),
        })?;
        let needed = self.buf.len() + encoded_len(value.len()) + encoded_len(INTEGRITY_LEN);
        if needed > self.capacity.min(MAX_PARTITION_SIZE) {
            return Err(TlvError::PartitionFull {
                needed,
                capacity: self.capacity,
            });
        }
        self.append(tlv_type, subtype, flags, len, value);
        Ok(())
    }

    fn append(&mut self, tlv_type: TlvType, subtype: u8, flags: u8, len: u16, value: &[u8]) {
        let start = self.buf.len();
        self.buf.extend_from_slice(&MAGIC.to_le_bytes());
        self.buf
            .extend_from_slice(&[flags, 0, 0, 0, tlv_type.0, subtype]);
        self.buf.extend_from_slice(&len.to_le_bytes());
        self.buf.extend_from_slice(value);
        self.buf.resize(start + HEADER_LEN + padded(value.len()), 0);
        let crc = crc32(&self.buf[start..]);
        self.buf.extend_from_slice(&crc.to_le_bytes());
    }

    /// Bytes used so far (without the integrity record).
    pub fn used(&self) -> usize {
        self.buf.len()
    }

    /// Append the integrity record and pad to the partition size with `0xFF`.
    pub fn finish(mut self) -> Result<Vec<u8>, TlvError> {
        let digest = Sha256::digest(&self.buf);
        // `push` reserved room for this record, so it always fits.
        self.append(
            TlvType::INTEGRITY,
            0,
            0,
            INTEGRITY_LEN as u16,
            digest.as_slice(),
        );
        self.buf.resize(self.capacity.max(self.buf.len()), 0xFF);
        Ok(self.buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_zlib_with_espressif_seed() {
        // python3 -c 'import zlib; print(hex(zlib.crc32(b"123456789", 0xffffffff)))'
        assert_eq!(crc32(b"123456789"), 0xD202_D277);
        assert_eq!(crc32(b""), 0xFFFF_FFFF);
    }

    #[test]
    fn padding_is_to_sixteen() {
        assert_eq!(encoded_len(0), 16);
        assert_eq!(encoded_len(1), 32);
        assert_eq!(encoded_len(16), 32);
        assert_eq!(encoded_len(17), 48);
    }

    fn sample() -> Vec<u8> {
        let mut w = PartitionWriter::new(DEFAULT_PARTITION_SIZE);
        w.push(TlvType::CA_CERT, 0, 0, b"ca one").unwrap();
        w.push(TlvType::CA_CERT, 1, 0, b"ca two").unwrap();
        w.push(TlvType::DEV_CERT, 0, 0, b"device cert").unwrap();
        w.push(TlvType::PRIV_KEY, 0, 0, b"key").unwrap();
        w.push(TlvType::USER_DATA_1, 0, 0, b"config").unwrap();
        w.finish().unwrap()
    }

    #[test]
    fn round_trip_with_two_cas() {
        let image = sample();
        assert_eq!(image.len(), DEFAULT_PARTITION_SIZE);
        let p = Partition::parse_strict(&image).unwrap();
        assert_eq!(p.records.len(), 5);
        let cas: Vec<_> = p.all(TlvType::CA_CERT).map(|r| r.value).collect();
        assert_eq!(cas, [&b"ca one"[..], &b"ca two"[..]]);
        assert_eq!(p.first(TlvType::PRIV_KEY).unwrap().value, b"key");
        assert!(image[p.used_len..].iter().all(|&b| b == 0xFF));
    }

    #[test]
    fn blank_and_foreign_partitions_are_named() {
        assert_eq!(Partition::parse(&[0xFF; 64]), Err(TlvError::Blank));
        assert_eq!(Partition::parse(&[]), Err(TlvError::Blank));
        assert_eq!(
            Partition::parse(&[1, 2, 3, 4, 5]),
            Err(TlvError::NotAPartition { found: 0x0403_0201 })
        );
    }

    #[test]
    fn every_single_bit_flip_is_rejected() {
        let image = sample();
        let used = Partition::parse(&image).unwrap().used_len;
        for byte in 0..used {
            let mut bad = image.clone();
            bad[byte] ^= 0x01;
            let parsed = Partition::parse_strict(&bad);
            assert!(parsed.is_err(), "flip at {byte} accepted");
        }
    }

    #[test]
    fn half_written_partition_never_passes_strict_parse() {
        let image = sample();
        let used = Partition::parse(&image).unwrap().used_len;
        for cut in 0..used {
            // A write stopped at `cut`: the rest of the sector is still erased.
            let mut partial = image[..cut].to_vec();
            partial.resize(image.len(), 0xFF);
            assert!(
                Partition::parse_strict(&partial).is_err(),
                "cut at {cut} accepted"
            );
        }
    }

    #[test]
    fn record_after_integrity_is_rejected() {
        let mut image = sample();
        let used = Partition::parse(&image).unwrap().used_len;
        let mut extra = PartitionWriter::new(256);
        extra.push(TlvType::USER_DATA_2, 0, 0, b"sneaky").unwrap();
        let extra = extra.finish().unwrap();
        let len = encoded_len(6);
        image[used..used + len].copy_from_slice(&extra[..len]);
        assert_eq!(
            Partition::parse(&image),
            Err(TlvError::AfterIntegrity { offset: used })
        );
    }

    #[test]
    fn full_partition_is_reported_not_truncated() {
        let mut w = PartitionWriter::new(128);
        let err = w.push(TlvType::DEV_CERT, 0, 0, &[0u8; 100]).unwrap_err();
        assert!(matches!(err, TlvError::PartitionFull { .. }));
        let mut w = PartitionWriter::new(MAX_PARTITION_SIZE);
        let err = w.push(TlvType::DEV_CERT, 0, 0, &[0u8; 70_000]).unwrap_err();
        assert!(matches!(err, TlvError::ValueTooLong { .. }));
    }

    #[test]
    fn oversized_input_is_rejected_before_reading() {
        let big = alloc::vec![0u8; MAX_PARTITION_SIZE + 1];
        assert!(matches!(
            Partition::parse(&big),
            Err(TlvError::Oversized { .. })
        ));
    }
}
