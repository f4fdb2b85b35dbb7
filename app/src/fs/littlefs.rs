//! LittleFS images in memory, through fstool's pure-Rust littlefs driver (no C, no
//! bindgen, so `cargo run` needs nothing but rustup). What makes an image mount on both
//! Arduino cores is the configuration, and that is this module's: disk version 2.0 (the
//! ESP8266 core vendors littlefs 2.5, which refuses 2.1), `name_max` 32 (the ESP8266's
//! `LFS_NAME_MAX`; the ESP32 accepts anything up to its 64), and a block count equal to
//! the partition size over the block size. An existing image keeps its own version and
//! limits: the driver reads them from its superblock.

use fstool::device::FlashDriver;
use fstool::fs::littlefs::{DISK_VERSION_2_0, Error as LfsError, FormatOpts, Volume};

use super::{FsError, Params};

/// Program granularity: the largest of the cores' (ESP-IDF's 256-byte page; the ESP8266
/// core's 64 divides it), so commits we write are aligned for either.
const PROG: usize = 256;
/// The largest block size a layout uses (the ESP8266's 8 KiB blocks).
const MAX_BLOCK: usize = 8192;

/// A partition image in RAM, programmed like NOR flash (bits only clear).
pub(super) struct Ram {
    pub(super) data: Vec<u8>,
    block: u32,
}

impl FlashDriver for Ram {
    type Error = &'static str;
    fn block_size(&self) -> u32 {
        self.block
    }
    fn block_count(&self) -> u32 {
        (self.data.len() / self.block as usize) as u32
    }
    fn prog_size(&self) -> u32 {
        PROG as u32
    }
    fn read(&mut self, block: u32, off: u32, buf: &mut [u8]) -> Result<(), Self::Error> {
        let at = block as usize * self.block as usize + off as usize;
        let src = self
            .data
            .get(at..at + buf.len())
            .ok_or("read past the partition")?;
        buf.copy_from_slice(src);
        Ok(())
    }
    fn prog(&mut self, block: u32, off: u32, data: &[u8]) -> Result<(), Self::Error> {
        let at = block as usize * self.block as usize + off as usize;
        let dst = self
            .data
            .get_mut(at..at + data.len())
            .ok_or("write past the partition")?;
        for (d, s) in dst.iter_mut().zip(data) {
            *d &= *s;
        }
        Ok(())
    }
    fn erase(&mut self, block: u32) -> Result<(), Self::Error> {
        let at = block as usize * self.block as usize;
        self.data
            .get_mut(at..at + self.block as usize)
            .ok_or("erase past the partition")?
            .fill(0xFF);
        Ok(())
    }
}

type Lfs = Volume<Ram, MAX_BLOCK, PROG>;

fn error(e: LfsError<&'static str>) -> FsError {
    match e {
        LfsError::NoSpace => FsError::NoSpace,
        LfsError::InvalidName => FsError::BadName(
            "longer than the file system's name limit (32 characters in images both Arduino cores mount)".into(),
        ),
        LfsError::InvalidPath => FsError::BadName("not an absolute path".into()),
        LfsError::NotLittleFs => FsError::NotThisKind,
        LfsError::UnsupportedVersion { major, minor } => FsError::Damaged(format!(
            "its on-disk version {major}.{minor} is newer than thingflash reads"
        )),
        LfsError::GeometryMismatch { volume, driver } => FsError::Damaged(format!(
            "it was made for another block size or partition size ({volume} against {driver})"
        )),
        other => FsError::Damaged(other.to_string()),
    }
}

fn mount(image: &[u8], params: &Params) -> Result<Lfs, FsError> {
    let ram = Ram {
        data: image.to_vec(),
        block: params.block_size,
    };
    Volume::mount(ram).map_err(error)
}

/// Whether the image holds a LittleFS superblock (the magic in block 0 or 1).
pub(super) fn looks_like(image: &[u8], params: &Params) -> bool {
    let bs = params.block_size as usize;
    [0, bs]
        .iter()
        .any(|&b| image.get(b + 8..b + 16) == Some(b"littlefs"))
}

/// Every file, depth first, with its bytes.
pub(super) fn files(image: &[u8], params: &Params) -> Result<Vec<(String, Vec<u8>)>, FsError> {
    let mut v = mount(image, params)?;
    let mut out = Vec::new();
    let mut dirs = vec![String::from("/")];
    while let Some(dir) = dirs.pop() {
        let handle = v.open_dir(&dir).map_err(error)?;
        let mut names = Vec::new();
        {
            let mut it = v.iter_dir(handle);
            while let Some(e) = it.next().map_err(error)? {
                let name = String::from_utf8_lossy(e.name()).into_owned();
                names.push((name, e.is_dir()));
            }
        }
        for (name, is_dir) in names {
            let path = if dir == "/" {
                format!("/{name}")
            } else {
                format!("{dir}/{name}")
            };
            if is_dir {
                dirs.push(path);
            } else {
                let mut f = v.open_file(&path).map_err(error)?;
                // The length comes from the image: a damaged one must not make us
                // allocate gigabytes before the read fails.
                if f.len() as usize > image.len() {
                    return Err(FsError::Damaged(format!(
                        "{path} claims {} bytes, more than the partition holds",
                        f.len()
                    )));
                }
                let mut buf = vec![0u8; f.len() as usize];
                f.read_exact(&mut v, &mut buf).map_err(error)?;
                out.push((path, buf));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn put(v: &mut Lfs, path: &str, data: &[u8]) -> Result<(), FsError> {
    // Parents first: `/certs/cert.der` needs `/certs`.
    let mut at = 0;
    while let Some(i) = path[at + 1..].find('/') {
        let parent = &path[..at + 1 + i];
        if !v.exists(parent).map_err(error)? {
            v.create_dir(parent).map_err(error)?;
        }
        at += 1 + i;
    }
    let mut f = v.open_or_create_file(path).map_err(error)?;
    f.set_len(v, 0).map_err(error)?;
    f.write_all(v, data).map_err(error)?;
    f.sync(v).map_err(error)
}

/// Add or replace `files` in an existing image; every other file stays as it was.
pub(super) fn update(
    image: &[u8],
    params: &Params,
    files: &[(String, Vec<u8>)],
) -> Result<Vec<u8>, FsError> {
    let mut v = mount(image, params)?;
    for (path, data) in files {
        put(&mut v, path, data)?;
    }
    Ok(v.unmount().map_err(error)?.data)
}

/// A new image of `size` bytes holding `files`.
pub(super) fn format(
    size: u32,
    params: &Params,
    files: &[(String, Vec<u8>)],
) -> Result<Vec<u8>, FsError> {
    let ram = Ram {
        data: vec![0xFF; size as usize],
        block: params.block_size,
    };
    let mut opts = FormatOpts::default();
    opts.disk_version = DISK_VERSION_2_0;
    opts.name_max = params.name_max;
    let mut v = Volume::format_with(ram, &opts).map_err(error)?;
    for (path, data) in files {
        put(&mut v, path, data)?;
    }
    Ok(v.unmount().map_err(error)?.data)
}
