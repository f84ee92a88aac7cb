//! The binary form of the index files (`loading.js` reads it): unsigned
//! LEB128 varints, length-prefixed UTF-8, little-endian `f64`, and sets of
//! document numbers in whichever of three forms is smallest.
//!
//! Every binary file starts with [`MAGIC`] and the 16 characters of the
//! index's epoch, so that the browser never mixes files of two builds.

/// The first bytes of every binary index file (the format's version).
pub const MAGIC: &[u8; 4] = b"pmS1";

/// A binary file being written.
pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    /// A file of the index `epoch`.
    pub fn new(epoch: &str) -> Writer {
        let mut buf = Vec::with_capacity(256);
        buf.extend_from_slice(MAGIC);
        buf.extend_from_slice(epoch.as_bytes());
        Writer { buf }
    }

    pub fn uint(&mut self, mut v: u64) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.buf.push(b);
                return;
            }
            self.buf.push(b | 0x80);
        }
    }

    pub fn bytes(&mut self, b: &[u8]) {
        self.uint(b.len() as u64);
        self.buf.extend_from_slice(b);
    }

    pub fn f64(&mut self, v: f64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// A sorted set of document numbers (no duplicates).
    pub fn docs(&mut self, docs: &[u32]) {
        let set = DocSet::best(docs);
        set.write(docs, self);
    }
}

/// The bytes a varint of `v` takes.
pub fn uint_len(v: u64) -> usize {
    (64 - v.max(1).leading_zeros() as usize).div_ceil(7)
}

/// The three forms of a set of document numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DocSet {
    /// 0: count, then each number's gap from the previous one (minus one).
    Gaps,
    /// 1: byte count, then a bitmap (bit `d % 8` of byte `d / 8`).
    Bitmap,
    /// 2: run count, then for each run of consecutive numbers its gap
    /// from the previous run and its length minus one (a year's
    /// incidents are one run).
    Runs,
}

impl DocSet {
    fn best(docs: &[u32]) -> DocSet {
        let mut gaps = uint_len(docs.len() as u64);
        let mut runs_len = 0;
        let mut runs = 0u64;
        let mut prev: i64 = -1;
        let mut run_start = 0usize;
        for (k, &d) in docs.iter().enumerate() {
            gaps += uint_len((d as i64 - prev - 1) as u64);
            if k == 0 || d as i64 != prev + 1 {
                if k > 0 {
                    runs_len += uint_len((k - run_start - 1) as u64);
                }
                runs_len += uint_len((d as i64 - prev - 1) as u64);
                runs += 1;
                run_start = k;
            }
            prev = d as i64;
        }
        if !docs.is_empty() {
            runs_len += uint_len((docs.len() - run_start - 1) as u64);
        }
        runs_len += uint_len(runs);
        let bitmap = docs.last().map_or(0, |&d| d as usize / 8 + 1);
        let bitmap = bitmap + uint_len(bitmap as u64);
        if bitmap < gaps && bitmap < runs_len {
            DocSet::Bitmap
        } else if runs_len < gaps {
            DocSet::Runs
        } else {
            DocSet::Gaps
        }
    }

    fn write(self, docs: &[u32], w: &mut Writer) {
        match self {
            DocSet::Gaps => {
                w.buf.push(0);
                w.uint(docs.len() as u64);
                let mut prev: i64 = -1;
                for &d in docs {
                    w.uint((d as i64 - prev - 1) as u64);
                    prev = d as i64;
                }
            }
            DocSet::Bitmap => {
                w.buf.push(1);
                let n = docs.last().map_or(0, |&d| d as usize / 8 + 1);
                let mut bits = vec![0u8; n];
                for &d in docs {
                    bits[d as usize / 8] |= 1 << (d % 8);
                }
                w.bytes(&bits);
            }
            DocSet::Runs => {
                w.buf.push(2);
                let mut runs: Vec<(u32, u32)> = Vec::new();
                for &d in docs {
                    match runs.last_mut() {
                        Some((start, len)) if *start + *len == d => *len += 1,
                        _ => runs.push((d, 1)),
                    }
                }
                w.uint(runs.len() as u64);
                let mut end: i64 = 0;
                for (start, len) in runs {
                    w.uint((start as i64 - end) as u64);
                    w.uint(u64::from(len - 1));
                    end = i64::from(start) + i64::from(len);
                }
            }
        }
    }
}

/// Reading the format back (the browser's side, for tests).
#[cfg(test)]
pub mod read {
    pub struct Reader<'a> {
        pub b: &'a [u8],
        pub at: usize,
    }

    impl<'a> Reader<'a> {
        pub fn new(b: &'a [u8]) -> (Reader<'a>, String) {
            assert_eq!(&b[..4], super::MAGIC);
            let epoch = String::from_utf8(b[4..20].to_vec()).unwrap();
            (Reader { b, at: 20 }, epoch)
        }
        pub fn uint(&mut self) -> u64 {
            let mut v = 0u64;
            let mut shift = 0;
            loop {
                let x = self.b[self.at];
                self.at += 1;
                v |= u64::from(x & 0x7f) << shift;
                if x & 0x80 == 0 {
                    return v;
                }
                shift += 7;
            }
        }
        pub fn bytes(&mut self) -> &'a [u8] {
            let n = self.uint() as usize;
            let s = &self.b[self.at..self.at + n];
            self.at += n;
            s
        }
        pub fn f64(&mut self) -> f64 {
            let v = f64::from_le_bytes(self.b[self.at..self.at + 8].try_into().unwrap());
            self.at += 8;
            v
        }
        pub fn docs(&mut self) -> Vec<u32> {
            let kind = self.b[self.at];
            self.at += 1;
            let mut out = Vec::new();
            match kind {
                0 => {
                    let n = self.uint();
                    let mut prev: i64 = -1;
                    for _ in 0..n {
                        prev += self.uint() as i64 + 1;
                        out.push(prev as u32);
                    }
                }
                1 => {
                    for (i, byte) in self.bytes().iter().enumerate() {
                        for bit in 0..8 {
                            if byte & (1 << bit) != 0 {
                                out.push((i * 8 + bit) as u32);
                            }
                        }
                    }
                }
                _ => {
                    let n = self.uint();
                    let mut end = 0u64;
                    for _ in 0..n {
                        let start = end + self.uint();
                        let len = self.uint() + 1;
                        out.extend((start..start + len).map(|d| d as u32));
                        end = start + len;
                    }
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(docs: &[u32]) -> (DocSet, usize) {
        let mut w = Writer::new("0123456789abcdef");
        w.docs(docs);
        let (mut r, epoch) = read::Reader::new(&w.buf);
        assert_eq!(epoch, "0123456789abcdef");
        assert_eq!(r.docs(), docs);
        assert_eq!(r.at, w.buf.len());
        (DocSet::best(docs), w.buf.len() - 20)
    }

    #[test]
    fn doc_sets_take_their_smallest_form() {
        assert_eq!(round_trip(&[]).0, DocSet::Gaps);
        assert_eq!(round_trip(&[3, 900, 70_000]).0, DocSet::Gaps);
        let dense: Vec<u32> = (0..4000).filter(|d| d % 3 != 0).collect();
        let (form, len) = round_trip(&dense);
        assert_eq!(form, DocSet::Bitmap);
        assert!(len < 510, "{len}");
        let year: Vec<u32> = (1200..2400).chain(5000..5001).collect();
        let (form, len) = round_trip(&year);
        assert_eq!(form, DocSet::Runs);
        assert!(len < 12, "{len}");
    }

    #[test]
    fn varints() {
        for v in [0u64, 1, 127, 128, 300, 16_383, 16_384, u64::from(u32::MAX)] {
            let mut w = Writer::new("0123456789abcdef");
            w.uint(v);
            assert_eq!(w.buf.len() - 20, uint_len(v), "{v}");
            let (mut r, _) = read::Reader::new(&w.buf);
            assert_eq!(r.uint(), v);
        }
    }
}
