//! The library from code: load the briefing's data, describe an EU cluster, print the top
//! five Chinese partners with the reason and the main risk for each.
//!
//! `cargo run --example quickstart`

use eccp_china::{Dataset, Options, Profile, Recommender};

fn main() -> Result<(), eccp_china::Error> {
    let data = Dataset::embedded()?;
    let profile = Profile::from_json(
        r#"{
            "name": "Danish wind energy cluster",
            "country": "DK",
            "sectors": ["wind energy"],
            "tech_level": "high",
            "goals": ["technology_transfer", "market_access"]
        }"#,
    )?;
    let options = Options {
        top_k: 5,
        ..Options::default()
    };
    let recs = Recommender::new(data).recommend_profile(&profile, &options)?;
    for m in &recs.matches {
        println!("{}. {} ({}) score {:.3}", m.rank, m.name, m.kind, m.score);
        if let Some(why) = m.reasons.first() {
            println!("   why: {} [{}]", why.text, why.source);
        }
        if let Some(risk) = m.risks.first() {
            println!("   risk: {} [{}]", risk.title, risk.source);
        }
    }
    Ok(())
}
