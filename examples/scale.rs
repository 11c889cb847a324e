//! Builds N synthetic packed partners and ranks them for the bundled sample profile once:
//! a process to measure memory with (`/usr/bin/time -v`), as `benches/compare.sh` does.
//!
//! `cargo run --release --example scale -- 1000000`

use eccp_china::kernel::{top_k, PackedPartners};
use eccp_china::{Dataset, Error, Profile, Recommender, Weights};

fn main() -> Result<(), Error> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| {
            a.parse().map_err(|_| Error::Option {
                option: "N".into(),
                message: format!("`{a}` is not a count"),
            })
        })
        .transpose()?
        .unwrap_or(1_000_000);
    let d = Dataset::embedded()?;
    let rec = Recommender::new(d);
    if std::env::args().any(|a| a == "--width") {
        println!("width {}", rec.features().layout().width);
        return Ok(());
    }
    let p = Profile::from_json(include_str!(
        "../data/samples/southern-german-e-mobility.json"
    ))?;
    let q = rec.kernel_query(&rec.resolve(&p)?, &Weights::default())?;
    let packed = PackedPartners::synthetic(d, n, 7);
    let top = top_k(&packed, &q, 10);
    println!(
        "n {n} bytes_held {} streamed {} best {:?}",
        packed.bytes_held(),
        packed.bytes(),
        top.first()
    );
    Ok(())
}
