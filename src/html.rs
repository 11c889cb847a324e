//! Recommendations as one self-contained HTML page: the profile as resolved, the
//! tech-versus-control chart of section 3.1, a tile map of China's provinces, and the table
//! of matches with their score breakdown. Inline SVG and CSS only; nothing is fetched.
//!
//! The page is well-formed XHTML, so that it can be checked with an XML parser: every point,
//! label and bar carries `data-id` (and `data-rank` for matches).

use crate::dataset::{Dataset, Kind, Level};
use crate::recommend::{Match, Recommendations, Recommender};
use crate::resolve::ResolvedProfile;
use crate::score::Component;
use crate::score::Options;
use crate::Result;
use std::collections::BTreeMap;
use std::fmt::Write;

impl Recommender<'_> {
    /// The recommendations as one self-contained HTML page (inline SVG and CSS): the profile
    /// as resolved, every candidate on the tech-versus-control chart with the top matches
    /// numbered and the Pareto front drawn, a tile map of the provinces, and the table of
    /// matches with their score breakdown as stacked bars.
    ///
    /// # Errors
    ///
    /// As [`Recommender::recommend`].
    pub fn report_html(&self, resolved: &ResolvedProfile, options: &Options) -> Result<String> {
        let recs = self.recommend(resolved, options)?;
        let all = self.rank(
            resolved,
            &Options {
                top_k: usize::MAX,
                diversity: Default::default(),
                ..options.clone()
            },
        )?;
        let points: Vec<Point> = all
            .into_iter()
            .map(|(i, score)| {
                let p = self.dataset().partner(i);
                Point {
                    id: p.id().to_string(),
                    name: p.name().to_string(),
                    tech: p.tech().level(),
                    control: p.control().level(),
                    score,
                }
            })
            .collect();
        Ok(page(self.dataset(), &recs, &points))
    }
}

/// The index page of a batch of reports: one line per cluster, its best matches, and a link
/// to its own page. Memory holds a few names per cluster, not the reports.
///
/// ```
/// use eccp_china::{BatchIndex, Dataset, Options, Profile, Recommender};
/// # fn main() -> Result<(), eccp_china::Error> {
/// let rec = Recommender::new(Dataset::embedded()?);
/// let p = Profile::from_json(r#"{"name": "Wind", "country": "DK", "sectors": ["wind energy"]}"#)?;
/// let mut index = BatchIndex::new("clusters.csv");
/// index.add("0002-wind.html", &rec.recommend_profile(&p, &Options::default())?);
/// assert!(index.to_html().contains("href=\"0002-wind.html\""));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct BatchIndex {
    title: String,
    rows: Vec<IndexRow>,
}

#[derive(Debug, Clone)]
struct IndexRow {
    file: String,
    cluster: String,
    country: String,
    top: Vec<(String, f64)>,
}

impl BatchIndex {
    /// An empty index titled after its source (a file name).
    pub fn new(source: impl Into<String>) -> BatchIndex {
        BatchIndex {
            title: source.into(),
            rows: Vec::new(),
        }
    }

    /// Adds a cluster whose report is at `file` (a path relative to the index page).
    pub fn add(&mut self, file: impl Into<String>, recs: &Recommendations) {
        self.rows.push(IndexRow {
            file: file.into(),
            cluster: recs.profile.name.clone(),
            country: recs.profile.country.clone(),
            top: recs
                .matches
                .iter()
                .take(3)
                .map(|m| (m.name.clone(), m.score))
                .collect(),
        });
    }

    /// The page: well-formed XHTML, self-contained like the reports.
    pub fn to_html(&self) -> String {
        let mut o = String::new();
        o.push_str("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/>");
        let _ = write!(
            o,
            "<title>Chinese partners for {} clusters ({})</title>",
            self.rows.len(),
            esc(&self.title)
        );
        o.push_str("<style>body{font-family:sans-serif;margin:24px;color:#222;max-width:1100px}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}</style></head><body>");
        let _ = write!(
            o,
            "<h1>Chinese partners for {} clusters</h1><p>From {}. Data: ECCP D3.2 Preparatory Briefing on China (2018; Table 4 from 2010), data version {}.</p>",
            self.rows.len(),
            esc(&self.title),
            crate::DATA_VERSION
        );
        o.push_str("<table><thead><tr><th>cluster</th><th>country</th><th>best matches</th></tr></thead><tbody>");
        for r in &self.rows {
            let top: Vec<String> = r
                .top
                .iter()
                .map(|(n, s)| format!("{} ({s:.3})", esc(n)))
                .collect();
            let _ = write!(
                o,
                "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
                esc(&r.file),
                esc(&r.cluster),
                esc(&r.country),
                if top.is_empty() {
                    "no partner in these fields".to_string()
                } else {
                    top.join("; ")
                }
            );
        }
        o.push_str("</tbody></table></body></html>\n");
        o
    }
}

/// Escapes text for XML.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            // XML 1.0 has no place for these, even as references: a page holding one is not
            // well-formed. Input is checked for them; this keeps the promise whatever comes.
            '\t' | '\n' | '\r' => o.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}

/// Colours of the components in the stacked bars and the legend.
const COLOURS: [&str; 7] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
];

/// A candidate on the chart: every scored partner.
pub(crate) struct Point {
    pub id: String,
    pub name: String,
    pub tech: Level,
    pub control: Level,
    pub score: f64,
}

/// Tile-grid positions (column, row) of the provinces, roughly as they lie on the map.
const TILES: &[(&str, u8, u8)] = &[
    ("heilongjiang", 8, 0),
    ("xinjiang", 1, 1),
    ("inner_mongolia", 5, 1),
    ("jilin", 8, 1),
    ("gansu", 2, 2),
    ("ningxia", 3, 2),
    ("shanxi", 4, 2),
    ("beijing", 5, 2),
    ("tianjin", 6, 2),
    ("liaoning", 7, 2),
    ("tibet", 1, 3),
    ("qinghai", 2, 3),
    ("shaanxi", 3, 3),
    ("henan", 4, 3),
    ("hebei", 5, 3),
    ("shandong", 6, 3),
    ("sichuan", 2, 4),
    ("chongqing", 3, 4),
    ("hubei", 4, 4),
    ("anhui", 5, 4),
    ("jiangsu", 6, 4),
    ("shanghai", 7, 4),
    ("yunnan", 2, 5),
    ("guizhou", 3, 5),
    ("hunan", 4, 5),
    ("jiangxi", 5, 5),
    ("zhejiang", 6, 5),
    ("guangxi", 3, 6),
    ("guangdong", 4, 6),
    ("fujian", 5, 6),
    ("taiwan", 6, 6),
    ("hainan", 3, 7),
    ("macau", 4, 7),
    ("hong_kong", 5, 7),
];

/// Fill colours of the macro-regions on the map; the three coastal cluster regions of
/// section 3.1 stand out.
fn region_fill(id: &str) -> &'static str {
    match id {
        "pearl_river_delta" => "#fdd0a2",
        "yangtze_river_delta" => "#c7e9c0",
        "bohai_rim" => "#c6dbef",
        "central" | "west" | "northeast" => "#f0f0f0",
        _ => "#e8e8e8",
    }
}

fn level_x(l: Level) -> f64 {
    130.0 + 200.0 * f64::from(l.rank())
}

fn level_y(l: Level) -> f64 {
    // High control at the top.
    340.0 - 130.0 * f64::from(l.rank())
}

fn chart(out: &mut String, points: &[Point], recs: &Recommendations) {
    let tol = recs.profile.control_tolerance;
    let rank: BTreeMap<&str, usize> = recs
        .matches
        .iter()
        .map(|m| (m.id.as_str(), m.rank))
        .collect();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="680" height="440" viewBox="0 0 680 440" role="img" aria-label="Tech level against political control">"##
    );
    // Tolerance: the band of control the profile accepts at half the control score or more.
    let limit = if tol >= 0.5 {
        1.0
    } else {
        (0.5 / (1.0 - tol)).min(1.0)
    };
    let y_top = (340.0 - 260.0 * limit - 65.0).max(30.0);
    let _ = write!(
        out,
        r##"<rect class="tolerance" x="30" y="{:.1}" width="620" height="{:.1}" fill="#e5f5e0" opacity="0.7"/><text x="645" y="400" text-anchor="end" class="small">shaded: your tolerance {tol} (control costs at most half the control score)</text>"##,
        y_top,
        405.0 - y_top
    );
    for l in [Level::Low, Level::Medium, Level::High] {
        let _ = write!(
            out,
            r##"<text x="{:.0}" y="430" text-anchor="middle">tech {}</text><text x="24" y="{:.0}" text-anchor="end" transform="rotate(-90 24 {:.0})">control {}</text>"##,
            level_x(l),
            l.as_str(),
            level_y(l),
            level_y(l),
            l.as_str()
        );
        let _ = write!(
            out,
            r##"<line x1="{0:.0}" y1="30" x2="{0:.0}" y2="405" stroke="#ddd"/>"##,
            level_x(l)
        );
        let _ = write!(
            out,
            r##"<line x1="30" y1="{0:.0}" x2="650" y2="{0:.0}" stroke="#ddd"/>"##,
            level_y(l)
        );
    }
    // The Pareto front through its (tech, control) cells.
    let mut front: Vec<(f64, f64)> = recs
        .pareto
        .iter()
        .map(|e| (level_x(e.tech), level_y(e.control)))
        .collect();
    front.sort_by(|a, b| a.0.total_cmp(&b.0));
    front.dedup();
    if !front.is_empty() {
        let pts: Vec<String> = front
            .iter()
            .map(|(x, y)| format!("{x:.0},{y:.0}"))
            .collect();
        let _ = write!(
            out,
            r##"<polyline class="pareto" points="{}" fill="none" stroke="#238b45" stroke-width="2" stroke-dasharray="6 4"/>"##,
            pts.join(" ")
        );
    }
    // Points stacked in a small grid inside their cell, best score first.
    let mut cells: BTreeMap<(u8, u8), Vec<&Point>> = BTreeMap::new();
    for p in points {
        cells
            .entry((p.tech.rank(), p.control.rank()))
            .or_default()
            .push(p);
    }
    for ps in cells.values_mut() {
        ps.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        for (i, p) in ps.iter().enumerate() {
            let (cx, cy) = (level_x(p.tech), level_y(p.control));
            // A grid of up to 14 a row, centred on the cell.
            let per_row = 14;
            let rows = ps.len().div_ceil(per_row) as f64;
            let cols = ps.len().min(per_row) as f64;
            let x = cx - 6.0 * (cols - 1.0) + 12.0 * (i % per_row) as f64;
            let y = cy - 5.5 * (rows - 1.0) + 11.0 * (i / per_row) as f64;
            match rank.get(p.id.as_str()) {
                Some(r) => {
                    let _ = write!(
                        out,
                        r##"<circle class="pt match" data-id="{id}" data-rank="{r}" cx="{x:.1}" cy="{y:.1}" r="6" fill="#d94801"><title>{r}. {name} ({score:.3})</title></circle><text class="label" data-id="{id}" x="{x:.1}" y="{ty:.1}" text-anchor="middle">{r}</text>"##,
                        id = esc(&p.id),
                        name = esc(&p.name),
                        score = p.score,
                        ty = y - 8.0
                    );
                }
                None => {
                    let _ = write!(
                        out,
                        r##"<circle class="pt" data-id="{}" cx="{x:.1}" cy="{y:.1}" r="3" fill="#9e9e9e"><title>{} ({:.3})</title></circle>"##,
                        esc(&p.id),
                        esc(&p.name),
                        p.score
                    );
                }
            }
        }
    }
    out.push_str("</svg>");
}

fn map(out: &mut String, d: &Dataset, recs: &Recommendations) {
    let reg = d.regions();
    let mut per_province: BTreeMap<&str, Vec<&Match>> = BTreeMap::new();
    let mut national = 0;
    for m in &recs.matches {
        match &m.province {
            Some(p) => per_province.entry(p.as_str()).or_default().push(m),
            None => national += 1,
        }
    }
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="map" width="560" height="400" viewBox="0 0 560 400" role="img" aria-label="Top matches by province">"##
    );
    for (id, col, row) in TILES {
        let Some(pid) = reg.find_province(id) else {
            continue;
        };
        let prov = reg.province(pid);
        let macro_id = reg.macro_region(prov.macro_region()).id();
        let (x, y) = (20.0 + 58.0 * f64::from(*col), 10.0 + 46.0 * f64::from(*row));
        let matches = per_province
            .get(prov.name())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let coastal = matches!(
            macro_id,
            "pearl_river_delta" | "yangtze_river_delta" | "bohai_rim"
        );
        let _ = write!(
            out,
            r##"<g class="tile" data-province="{id}" data-macro="{macro_id}"><rect x="{x:.0}" y="{y:.0}" width="54" height="42" rx="4" fill="{}" stroke="{}" stroke-width="{}"/><text x="{:.0}" y="{:.0}" text-anchor="middle" class="small">{}</text>"##,
            region_fill(macro_id),
            if coastal { "#636363" } else { "#bdbdbd" },
            if coastal { 2 } else { 1 },
            x + 27.0,
            y + 14.0,
            esc(prov.name())
        );
        if !matches.is_empty() {
            let ranks: Vec<String> = matches.iter().map(|m| m.rank.to_string()).collect();
            let _ = write!(
                out,
                r##"<circle cx="{:.0}" cy="{:.0}" r="10" fill="#d94801"/><text class="count" data-count="{}" x="{:.0}" y="{:.0}" text-anchor="middle" fill="#fff">{}</text><title>{}: #{}</title>"##,
                x + 27.0,
                y + 29.0,
                matches.len(),
                x + 27.0,
                y + 33.0,
                matches.len(),
                esc(prov.name()),
                ranks.join(", #")
            );
        }
        out.push_str("</g>");
    }
    let _ = write!(
        out,
        r##"<text x="20" y="392" class="small">Outlined: the coastal cluster regions of section 3.1 (Pearl River Delta orange, Yangtze River Delta green, Bohai Rim blue). National bodies in the top matches: {national}.</text></svg>"##
    );
}

fn bar(out: &mut String, m: &Match) {
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="bar" data-id="{}" width="220" height="16">"##,
        esc(&m.id)
    );
    let mut x = 0.0;
    for (i, c) in Component::ALL.iter().enumerate() {
        let w = 220.0 * m.breakdown[c.as_str()];
        let _ = write!(
            out,
            r##"<rect data-component="{}" x="{x:.2}" y="0" width="{w:.2}" height="16" fill="{}"><title>{} {:.3}</title></rect>"##,
            c.as_str(),
            COLOURS[i],
            c.as_str(),
            m.breakdown[c.as_str()]
        );
        x += w;
    }
    out.push_str("</svg>");
}

/// The whole page.
pub(crate) fn page(d: &Dataset, recs: &Recommendations, points: &[Point]) -> String {
    let p = &recs.profile;
    let mut o = String::with_capacity(64 * 1024);
    o.push_str("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/>");
    let _ = write!(o, "<title>Chinese partners for {}</title>", esc(&p.name));
    o.push_str(
        "<style>body{font-family:sans-serif;margin:24px;color:#222;max-width:1100px}h1{font-size:22px}h2{font-size:17px;margin-top:28px}\
         table{border-collapse:collapse;width:100%}td,th{border-top:1px solid #ddd;padding:6px;vertical-align:top;text-align:left;font-size:13px}\
         .small{font-size:10px;fill:#555}.label{font-size:10px;font-weight:bold}.legend span{display:inline-block;margin-right:12px;font-size:12px}\
         .swatch{display:inline-block;width:10px;height:10px;margin-right:4px}.src{color:#777}.warn{color:#a50f15}ul{margin:2px 0;padding-left:18px}\
         .figs{display:flex;flex-wrap:wrap;gap:24px}</style></head><body>",
    );
    let _ = write!(
        o,
        "<h1>Chinese partners for {} ({})</h1>",
        esc(&p.name),
        esc(&p.country)
    );
    o.push_str("<h2>The profile, as understood</h2><ul class=\"profile\">");
    for (what, terms) in [
        ("sectors", &p.sectors),
        ("keywords", &p.keywords),
        ("products named by clusters", &p.products),
        ("preferred regions", &p.preferred_regions),
    ] {
        if terms.is_empty() {
            continue;
        }
        let items: Vec<String> = terms
            .iter()
            .map(|t| {
                format!(
                    "{} → {} ({})",
                    esc(&t.input),
                    esc(&t.resolved.join(", ")),
                    esc(&t.how)
                )
            })
            .collect();
        let _ = write!(o, "<li><b>{what}</b>: {}</li>", items.join("; "));
    }
    let _ = write!(
        o,
        "<li><b>tech level</b> {}, <b>control tolerance</b> {}, <b>goals</b> {}</li></ul>",
        p.tech_level.as_str(),
        p.control_tolerance,
        esc(&p.goals.join(", "))
    );
    if !recs.warnings.is_empty() {
        o.push_str(
            "<p class=\"warn\">Not resolved, or read with a caveat:</p><ul class=\"warnings\">",
        );
        for w in &recs.warnings {
            let _ = write!(o, "<li class=\"warn\">{}</li>", esc(&w.to_string()));
        }
        o.push_str("</ul>");
    }
    o.push_str(
        "<div class=\"figs\"><div><h2>Tech level against political control (section 3.1)</h2>",
    );
    chart(&mut o, points, recs);
    o.push_str("<p class=\"small\">Every candidate is a dot; the top matches are numbered. The dashed line is the Pareto front: no partner in your field beats these on both higher tech and lower control.</p></div>");
    o.push_str("<div><h2>Where the top matches are</h2>");
    map(&mut o, d, recs);
    o.push_str("</div></div>");
    o.push_str("<h2>The matches</h2><p class=\"legend\">");
    for (i, c) in Component::ALL.iter().enumerate() {
        let _ = write!(
            o,
            "<span><span class=\"swatch\" style=\"background:{}\"></span>{}</span>",
            COLOURS[i],
            c.as_str()
        );
    }
    o.push_str("</p><table><thead><tr><th>#</th><th>partner</th><th>score</th><th>why</th><th>watch out</th><th>who can help</th></tr></thead><tbody>");
    for m in &recs.matches {
        let place = match (&m.city, &m.province) {
            (Some(c), Some(pr)) if c != pr => format!("{c}, {pr}"),
            (_, Some(pr)) => pr.clone(),
            _ => "national".into(),
        };
        let _ = write!(
            o,
            "<tr class=\"match\" data-id=\"{}\" data-rank=\"{}\"><td>{}</td><td><b>{}</b><br/><span class=\"src\">{} · {} · tech {}, control {}</span></td><td>{:.3}<br/>",
            esc(&m.id),
            m.rank,
            m.rank,
            esc(&m.name),
            esc(&kind_text(m.kind)),
            esc(&place),
            m.tech.as_str(),
            m.control.as_str(),
            m.score
        );
        bar(&mut o, m);
        o.push_str("</td><td><ul>");
        for r in &m.reasons {
            let _ = write!(
                o,
                "<li>{} <span class=\"src\">[{}]</span></li>",
                esc(&r.text),
                esc(&r.source)
            );
        }
        o.push_str("</ul></td><td><ul>");
        for r in &m.risks {
            let _ = write!(
                o,
                "<li><b>{}</b> <span class=\"src\">[{}]</span></li>",
                esc(&r.title),
                esc(&r.source)
            );
        }
        o.push_str("</ul></td><td><ul>");
        for i in &m.intermediaries {
            let _ = write!(
                o,
                "<li>{} <span class=\"src\">[{}]</span></li>",
                esc(&i.name),
                esc(&i.source)
            );
        }
        o.push_str("</ul></td></tr>");
    }
    o.push_str("</tbody></table>");
    if !recs.general_risks.is_empty() {
        o.push_str("<h2>True of every match</h2><ul>");
        for r in &recs.general_risks {
            let _ = write!(
                o,
                "<li><b>{}</b>: {} <span class=\"src\">[{}]</span></li>",
                esc(&r.title),
                esc(&r.text),
                esc(&r.source)
            );
        }
        o.push_str("</ul>");
    }
    let _ = writeln!(
        o,
        "<p class=\"small\">Source: ECCP D3.2 Preparatory Briefing on China (2018); data version {}.</p></body></html>",
        recs.data_version
    );
    o
}

fn kind_text(k: Kind) -> String {
    k.as_str().replace('_', " ")
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escaped_text_is_well_formed_xml_whatever_it_holds() {
        let nasty = "a<b>&\"'\u{1}\u{1b}[31m\u{0}\u{7f}\u{85}\u{FFFE}\tz\n";
        let doc = format!("<p title=\"{0}\">{0}</p>", esc(nasty));
        let parsed = roxmltree::Document::parse(&doc).expect("well-formed");
        let text = parsed.root_element().text().unwrap();
        assert!(text.starts_with("a<b>&\"'"));
        assert!(!text.chars().any(|c| c.is_control() && !"\t\n".contains(c)));
    }
}
