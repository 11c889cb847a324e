//! A small program against the crate: a profile built in code, a kind filter, a partner of
//! your own beside the briefing's, the reverse direction with reasons, and the HTML report
//! written to a file (`cargo run --example developer -- [REPORT.html]`).
use eccp_china::{Dataset, Error, Goal, Kind, Level, Options, Profile, Recommender};

/// A partner the briefing does not name: its source says where it comes from.
const MINE: &str = r#"{"partners": [{"id": "mine-guangzhou-ev", "kind": "industrial_cluster",
  "name": "Guangzhou EV suppliers (our contact)", "province": "guangdong", "place": "guangzhou",
  "sectors": ["electric_vehicles"], "formal_organisation": true,
  "sources": [{"ref": "External: our 2025 trade mission notes"}]}]}"#;

fn main() -> Result<(), Error> {
    let data = Dataset::builder().partners_reader("mine.json", MINE.as_bytes())?;
    let rec = Recommender::new(data.build()?);
    let profile = Profile::builder("Southern German e-mobility cluster", "DE")
        .sectors(["automotive", "electric vehicles"])
        .tech_level(Level::High)
        .goals([Goal::RdCooperation, Goal::MarketAccess])
        .preferred_region("Pearl River Delta")
        .build()?;
    let mut options = Options {
        top_k: 5,
        ..Options::default()
    };
    options.filter.kinds = vec![Kind::IndustrialCluster, Kind::SciencePark];
    let recs = rec.recommend_profile(&profile, &options)?;
    for m in &recs.matches {
        println!("{}. {} ({}) [{:.3}]", m.rank, m.name, m.kind, m.score);
        for r in m.reasons.iter().take(2) {
            println!("   {} [{}]", r.text, r.source);
        }
    }
    // The other direction: which of these EU clusters suit our contact, and why.
    let pharma = Profile::builder("Lyon biopharma", "FR").sector("pharmaceuticals");
    let clusters = [profile, pharma.build()?];
    let back = rec.recommend_for_partner("mine-guangzhou-ev", &clusters, &options)?;
    print!("\n{}", back.to_text());
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "developer-report.html".into());
    let page = rec.report_html(&recs)?;
    std::fs::write(&path, page).map_err(|e| Error::io_at(&path, e))?;
    println!("\nreport: {path}");
    Ok(())
}
