//! Recommendations as one self-contained HTML page: the profile as resolved, the
//! tech-versus-control chart of section 3.1, a tile map of China's provinces, and the table
//! of matches with their score breakdown. Inline SVG and CSS only; nothing is fetched.
//!
//! The page is well-formed XHTML, so that it can be checked with an XML parser: every point,
//! label and bar carries `data-id` (and `data-rank` for matches).

use crate::dataset::{Dataset, Goal, Kind, Level, ProvinceId, RegionRef, Role};
use crate::recommend::{Match, Recommendations, Recommender};
use crate::resolve::ResolvedProfile;
use crate::score::{control_fit, goal_affinity, tech_fit, Component, Options};
use crate::Result;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

impl Recommender {
    /// `recs` as one self-contained HTML page (inline SVG, CSS and script; nothing is
    /// fetched): the data's date, the profile as resolved, what-if controls, the
    /// tech-versus-control chart of every candidate in the profile's field with the matches
    /// numbered, a tile map of the provinces, and the table of `recs`' matches with their
    /// score breakdown, reasons, risks (their text in `<details>`) and who can help (linked
    /// to their websites). The list shown is the caller's, as given.
    ///
    /// The what-if controls (control tolerance, the seven weights, the goals) re-rank the
    /// list, the chart and the map in the page. The page carries each candidate's
    /// settings-free components (sector, region, reciprocity, evidence), its kind and
    /// levels, and the tables of the tech, control and goal rules, and recombines them as
    /// [`Recommender::recommend`] does, with the same admission, order and diversity caps:
    /// the order it shows is the library's for the same settings. Settings can be given in
    /// the URL (`#tol=0.3&w=0.4,0.1,0.12,0.13,0.13,0.09,0.08&goals=market_access,sourcing`,
    /// weights in [`Component::ALL`] order); the page writes them there as they move. The
    /// written reasons are those of the report's own settings, and the page says so when
    /// the settings differ.
    ///
    /// # Examples
    ///
    /// ```
    /// use eccp_china::{Dataset, Options, Profile, Recommender};
    /// # fn main() -> Result<(), eccp_china::Error> {
    /// let rec = Recommender::new(Dataset::embedded()?);
    /// let p = Profile::builder("Wind", "DK").sector("wind energy").build()?;
    /// let recs = rec.recommend_profile(&p, &Options { top_k: 5, ..Options::default() })?;
    /// let page = rec.report_html(&recs)?;
    /// assert!(page.starts_with("<!DOCTYPE html>"));
    /// assert!(page.contains(&recs.matches[0].name));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// None for recommendations this recommender made; the what-if candidates are ranked
    /// with `recs`' own options, so errors are those of [`Recommender::recommend`].
    pub fn report_html(&self, recs: &Recommendations) -> Result<String> {
        self.report_page(recs, None)
    }

    /// [`Recommender::report_html`] with a "Your consortium" section: the members of
    /// `consortium` (from [`Recommender::consortium`] for the same profile), each with its
    /// role, what it adds, its runner-up and its risks, and the call's constraints.
    ///
    /// # Errors
    ///
    /// As [`Recommender::report_html`].
    pub fn report_html_with_consortium(
        &self,
        recs: &Recommendations,
        consortium: &crate::consortium::Consortium,
    ) -> Result<String> {
        self.report_page(recs, Some(consortium))
    }

    fn report_page(
        &self,
        recs: &Recommendations,
        consortium: Option<&crate::consortium::Consortium>,
    ) -> Result<String> {
        let resolved: &ResolvedProfile = &recs.basis.resolved;
        let options = &recs.basis.options;
        // Every record in the profile's field that some setting of the controls could rank:
        // the filters stay, scores are not cut and intermediaries are in (the business
        // support goal admits them), each explained at the report's settings.
        let wide = Options {
            top_k: usize::MAX,
            diversity: Default::default(),
            include_intermediaries: true,
            filter: crate::score::Filter {
                min_score: 0.0,
                ..options.filter.clone()
            },
            // The candidates' notes read at the date of the recommendations shown.
            as_of: Some(recs.as_of),
            ..options.clone()
        };
        let field = self.recommend(resolved, &wide)?;
        let d = self.dataset();
        let candidates: Vec<Candidate> = field
            .matches
            .into_iter()
            .filter_map(|m| {
                let i = d.find_partner(&m.id)?;
                let p = d.partner(i);
                // Admitted only through the business support goal: an intermediary the
                // options neither include nor name by kind.
                let help_only = p.role() == Role::Intermediary
                    && !options.include_intermediaries
                    && !options.filter.kinds.contains(&p.kind());
                Some(Candidate {
                    city: d.city_of(p).map(|c| c.0),
                    website: p.websites().first().cloned(),
                    help_only,
                    m,
                })
            })
            .collect();
        // "Why not?" for the next candidates outside the list, at the report's settings.
        let listed: Vec<&str> = recs.matches.iter().map(|m| m.id.as_str()).collect();
        let mut why_not = Vec::new();
        for (i, _) in self.rank(
            resolved,
            &Options {
                top_k: usize::MAX,
                ..options.clone()
            },
        )? {
            let id = d.partner(i).id();
            if listed.contains(&id) {
                continue;
            }
            if why_not.len() == WHY_NOT_SHOWN {
                break;
            }
            why_not.push(self.why_not(resolved, options, id)?);
        }
        // "Why is A above B?" for each match and the next one, at the report's settings.
        let mut above = Vec::with_capacity(recs.matches.len().saturating_sub(1));
        for pair in recs.matches.windows(2) {
            above.push(self.compare(resolved, options, &pair[0].id, &pair[1].id)?);
        }
        Ok(page(
            d,
            resolved,
            options,
            recs,
            &candidates,
            &Questions {
                why_not: &why_not,
                above: &above,
            },
            consortium,
        ))
    }
}

/// The index page of a batch of reports: one line per cluster, its best matches, and a link
/// to its own page. Memory holds a few names per cluster, not the reports.
///
/// ```
/// use eccp_china::{Dataset, Options, Profile, Recommender, html::BatchIndex};
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

/// A record the what-if controls could rank: explained at the report's settings.
pub(crate) struct Candidate {
    m: Match,
    city: Option<u16>,
    website: Option<String>,
    /// An intermediary admitted only when the profile's goals include business support.
    help_only: bool,
}

/// What the page's script needs to rank as the library does: each candidate's
/// settings-free components and the tables of the settings-dependent rules.
#[derive(Serialize)]
struct Model<'a> {
    components: Vec<&'static str>,
    weights: [f64; 7],
    tol: f64,
    goals: Vec<&'static str>,
    goal_names: Vec<&'static str>,
    goal_labels: Vec<&'static str>,
    /// `tech_fit[goal][partner level]` at the profile's tech level.
    tech_fit: Vec<[f64; 3]>,
    /// `affinity[goal][kind]`, kinds in [`Kind::ALL`] order.
    affinity: Vec<[f64; 7]>,
    /// Control's value at low, medium, high.
    level_value: [f64; 3],
    top_k: usize,
    min_score: f64,
    max_per_city: Option<usize>,
    max_per_kind: Option<usize>,
    /// The sector value a partner needs to count on the Pareto front.
    pareto_min_sector: f64,
    /// The chart's cell centres by tech level and by control level.
    cell_x: [f64; 3],
    cell_y: [f64; 3],
    candidates: Vec<ModelCandidate<'a>>,
}

#[derive(Serialize)]
struct ModelCandidate<'a> {
    id: &'a str,
    kind: usize,
    help: bool,
    tech: u8,
    control: u8,
    city: Option<u16>,
    province: Option<&'a str>,
    /// Sector, region, reciprocity and evidence, which no control changes.
    sector: f64,
    region: f64,
    reciprocity: f64,
    evidence: f64,
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
    150.0 + 190.0 * f64::from(l.rank())
}

fn level_y(l: Level) -> f64 {
    // High control at the top.
    345.0 - 130.0 * f64::from(l.rank())
}

/// The chart: every candidate in a (tech, control) cell, laid out by the report's score;
/// the script renumbers and recolours them as the settings move.
fn chart(out: &mut String, candidates: &[Candidate], recs: &Recommendations, business: bool) {
    let tol = recs.profile.control_tolerance;
    let rank: BTreeMap<&str, usize> = recs
        .matches
        .iter()
        .map(|m| (m.id.as_str(), m.rank))
        .collect();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="700" height="450" viewBox="0 0 700 450" role="img" aria-label="Tech level against political control">"##
    );
    // What control costs at the tolerance: one band per control row.
    for l in [Level::Low, Level::Medium, Level::High] {
        let keep = control_fit(tol, l);
        let y = level_y(l);
        let _ = write!(
            out,
            r##"<rect class="tolband" data-level="{r}" x="60" y="{:.0}" width="600" height="130" fill="#d62728" fill-opacity="{:.3}"/><text class="tolnote small" data-level="{r}" x="656" y="{:.0}" text-anchor="end">keeps {keep:.2}</text>"##,
            y - 65.0,
            0.35 * (1.0 - keep),
            y - 52.0,
            r = l.rank()
        );
    }
    for l in [Level::Low, Level::Medium, Level::High] {
        let _ = write!(
            out,
            r##"<line x1="{0:.0}" y1="20" x2="{0:.0}" y2="410" stroke="#ddd"/><line x1="60" y1="{1:.0}" x2="660" y2="{1:.0}" stroke="#ddd"/><text x="{0:.0}" y="430" text-anchor="middle">tech {2}</text><text x="40" y="{1:.0}" text-anchor="middle" transform="rotate(-90 40 {1:.0})">control {2}</text>"##,
            level_x(l),
            level_y(l),
            l.as_str()
        );
    }
    let _ = write!(
        out,
        r##"<text x="360" y="447" text-anchor="middle" class="small">tech level (section 3.1) →</text><text x="14" y="215" text-anchor="middle" class="small" transform="rotate(-90 14 215)">political control (section 3.1) →</text>"##
    );
    // The Pareto front: a dashed box around each of its (tech, control) cells, joined by a
    // dashed line; the script redraws both.
    let on_front = |t: Level, c: Level| recs.pareto.iter().any(|e| e.tech == t && e.control == c);
    for t in [Level::Low, Level::Medium, Level::High] {
        for c in [Level::Low, Level::Medium, Level::High] {
            let _ = write!(
                out,
                r##"<rect class="pareto-cell" data-tech="{}" data-control="{}" x="{:.0}" y="{:.0}" width="176" height="116" rx="10" fill="none" stroke="#238b45" stroke-width="2" stroke-dasharray="6 4"{}/>"##,
                t.rank(),
                c.rank(),
                level_x(t) - 88.0,
                level_y(c) - 58.0,
                if on_front(t, c) {
                    ""
                } else {
                    r#" display="none""#
                }
            );
        }
    }
    let front = pareto_points(&recs.pareto);
    let _ = write!(
        out,
        r##"<polyline class="pareto" points="{front}" fill="none" stroke="#238b45" stroke-width="2" stroke-dasharray="6 4"/>"##
    );
    // Points stacked in a small grid inside their cell, best score first.
    let mut cells: BTreeMap<(u8, u8), Vec<&Candidate>> = BTreeMap::new();
    for c in candidates {
        cells
            .entry((c.m.tech.rank(), c.m.control.rank()))
            .or_default()
            .push(c);
    }
    for cs in cells.values_mut() {
        cs.sort_by(|a, b| {
            b.m.score
                .total_cmp(&a.m.score)
                .then_with(|| a.m.id.cmp(&b.m.id))
        });
        for (i, c) in cs.iter().enumerate() {
            let (cx, cy) = (level_x(c.m.tech), level_y(c.m.control));
            // A grid of up to 12 a row, centred on the cell.
            let per_row = 12;
            let rows = cs.len().div_ceil(per_row) as f64;
            let cols = cs.len().min(per_row) as f64;
            let x = cx - 6.5 * (cols - 1.0) + 13.0 * (i % per_row) as f64;
            let y = cy - 8.0 * (rows - 1.0) + 16.0 * (i / per_row) as f64;
            let shown = if c.help_only && !business {
                r#" display="none""#
            } else {
                ""
            };
            let (class, r, fill, label) = match rank.get(c.m.id.as_str()) {
                Some(r) => ("pt match", 6, "#d94801", r.to_string()),
                None => ("pt", 3, "#9e9e9e", String::new()),
            };
            let _ = write!(
                out,
                r##"<circle class="{class}" data-id="{id}" cx="{x:.1}" cy="{y:.1}" r="{r}" fill="{fill}"{shown}><title>{name} ({score:.3})</title></circle><text class="label" data-id="{id}" x="{x:.1}" y="{ty:.1}" text-anchor="middle">{label}</text>"##,
                id = esc(&c.m.id),
                name = esc(&c.m.name),
                score = c.m.score,
                ty = y - 8.0
            );
        }
    }
    out.push_str("</svg>");
}

/// The polyline points of a Pareto front: its cells, by tech level.
fn pareto_points(front: &[crate::explain::ParetoEntry]) -> String {
    let mut cells: Vec<(f64, f64)> = front
        .iter()
        .map(|e| (level_x(e.tech), level_y(e.control)))
        .collect();
    cells.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    cells.dedup();
    let pts: Vec<String> = cells
        .iter()
        .map(|(x, y)| format!("{x:.0},{y:.0}"))
        .collect();
    pts.join(" ")
}

/// The provinces a profile prefers: named, holding a named place, or in a named
/// macro-region.
fn preferred_provinces(d: &Dataset, resolved: &ResolvedProfile) -> BTreeSet<ProvinceId> {
    let reg = d.regions();
    let mut out = BTreeSet::new();
    for m in resolved.region_matches() {
        for r in &m.regions {
            match r {
                RegionRef::Province(p) => {
                    out.insert(*p);
                }
                RegionRef::Place(c) => {
                    out.insert(reg.place(*c).province());
                }
                RegionRef::Macro(mr) => {
                    out.extend(
                        (0..reg.provinces().len())
                            .map(|i| ProvinceId(i as u8))
                            .filter(|p| reg.province(*p).macro_region() == *mr),
                    );
                }
            }
        }
    }
    out
}

fn map(out: &mut String, d: &Dataset, resolved: &ResolvedProfile, recs: &Recommendations) {
    let reg = d.regions();
    let preferred = preferred_provinces(d, resolved);
    let mut per_province: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut national = 0;
    for m in &recs.matches {
        match &m.province {
            Some(p) => per_province.entry(p.as_str()).or_default().push(m.rank),
            None => national += 1,
        }
    }
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="map" width="560" height="390" viewBox="0 0 560 390" role="img" aria-label="Top matches by province">"##
    );
    for (id, col, row) in TILES {
        let Some(pid) = reg.find_province(id) else {
            continue;
        };
        let prov = reg.province(pid);
        let macro_id = reg.macro_region(prov.macro_region()).id();
        let (x, y) = (20.0 + 58.0 * f64::from(*col), 10.0 + 46.0 * f64::from(*row));
        let ranks = per_province
            .get(prov.name())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let pref = preferred.contains(&pid);
        let _ = write!(
            out,
            r##"<g class="tile" data-province="{id}" data-macro="{macro_id}" data-preferred="{pref}"><rect x="{x:.0}" y="{y:.0}" width="54" height="42" rx="4" fill="{}" stroke="{}" stroke-width="{}"/><text x="{:.0}" y="{:.0}" text-anchor="middle" class="small">{}</text>"##,
            region_fill(macro_id),
            if pref { "#252525" } else { "#bdbdbd" },
            if pref { 3 } else { 1 },
            x + 27.0,
            y + 14.0,
            esc(prov.name())
        );
        let shown = if ranks.is_empty() {
            r#" display="none""#
        } else {
            ""
        };
        let ranks: Vec<String> = ranks.iter().map(usize::to_string).collect();
        let _ = write!(
            out,
            r##"<g class="count" data-tile="{id}"{shown}><title>{name}: #{}</title><circle cx="{:.0}" cy="{:.0}" r="10" fill="#d94801"/><text data-count="{n}" x="{:.0}" y="{:.0}" text-anchor="middle" fill="#fff">{n}</text></g></g>"##,
            ranks.join(", #"),
            x + 27.0,
            y + 29.0,
            x + 27.0,
            y + 33.0,
            name = esc(prov.name()),
            n = ranks.len()
        );
    }
    let _ = write!(
        out,
        r##"<text id="national" data-count="{national}" x="540" y="380" text-anchor="end">{}</text></svg>"##,
        national_text(national)
    );
}

fn national_text(n: usize) -> String {
    match n {
        0 => "no national body in the top matches".into(),
        1 => "+1 national body (works across China)".into(),
        n => format!("+{n} national bodies (work across China)"),
    }
}

fn bar(out: &mut String, m: &Match) {
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="bar" data-id="{}" width="220" height="16">"##,
        esc(&m.id)
    );
    let mut x = 0.0;
    for (i, c) in Component::ALL.iter().enumerate() {
        let w = 220.0 * m.breakdown[*c];
        let _ = write!(
            out,
            r##"<rect data-component="{}" x="{x:.2}" y="0" width="{w:.2}" height="16" fill="{}"><title>{} {:.3}</title></rect>"##,
            c.as_str(),
            COLOURS[i],
            c.as_str(),
            m.breakdown[*c]
        );
        x += w;
    }
    out.push_str("</svg>");
}

/// A website as a link target: printed sites without a scheme get `http://`; anything but
/// http(s) is not linked.
fn href(site: &str) -> Option<String> {
    let lower = site.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        Some(site.to_string())
    } else if lower.contains(':') || site.contains(char::is_whitespace) || site.is_empty() {
        None
    } else {
        Some(format!("http://{site}"))
    }
}

fn link(out: &mut String, text: &str, site: Option<&str>) {
    match site.and_then(href) {
        Some(h) => {
            let _ = write!(
                out,
                "<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>",
                esc(&h),
                esc(text)
            );
        }
        None => out.push_str(&esc(text)),
    }
}

/// A risk: its title, source and (for a note with a stated window) status, its text folded
/// under them.
fn risk(out: &mut String, r: &crate::explain::Risk) {
    let _ = write!(
        out,
        "<details class=\"risk\"><summary>{} <span class=\"src\">[{}]</span>{}</summary>{}</details>",
        esc(&r.title),
        esc(&r.source),
        window(&r.status),
        esc(&r.text)
    );
}

/// " <i>(status)</i>" for a note's window, escaped, or nothing.
fn window(status: &Option<String>) -> String {
    status
        .as_deref()
        .map(|st| format!(" <i>({})</i>", esc(st)))
        .unwrap_or_default()
}

/// One row of the table: a candidate, shown at `rank` or hidden.
fn row(out: &mut String, c: &Candidate, rank: Option<usize>) {
    let m = &c.m;
    let place = crate::output::place(m.city.as_deref(), m.province.as_deref());
    let _ = write!(
        out,
        "<tr class=\"match\" data-id=\"{}\"{}><td class=\"rank\">{}</td><td><b>",
        esc(&m.id),
        match rank {
            Some(r) => format!(" data-rank=\"{r}\""),
            None => " hidden=\"hidden\"".into(),
        },
        rank.map(|r| r.to_string()).unwrap_or_default()
    );
    link(out, &m.name, c.website.as_deref());
    let _ = write!(
        out,
        "</b><br/><span class=\"src\">{} · {} · tech {}, control {}</span></td><td><span class=\"score\">{:.3}</span><br/>",
        esc(&kind_text(m.kind)),
        esc(&place),
        m.tech.as_str(),
        m.control.as_str(),
        m.score
    );
    bar(out, m);
    out.push_str("</td><td><ul>");
    for r in &m.reasons {
        let _ = write!(
            out,
            "<li>{} <span class=\"src\">[{}]</span>{}</li>",
            esc(&r.text),
            esc(&r.source),
            window(&r.status)
        );
    }
    out.push_str("</ul></td><td>");
    for r in &m.risks {
        risk(out, r);
    }
    out.push_str("</td><td><ul>");
    for i in &m.intermediaries {
        out.push_str("<li>");
        link(out, &i.name, i.website.as_deref());
        let _ = write!(
            out,
            ": {} <span class=\"src\">[{}]</span>{}</li>",
            esc(&i.why),
            esc(&i.source),
            i.status
                .as_deref()
                .map(|st| format!(" <i>({})</i>", esc(st)))
                .unwrap_or_default()
        );
    }
    out.push_str("</ul></td></tr>");
}

/// The what-if controls, hidden until the script shows them (without it they do nothing).
fn controls(out: &mut String, recs: &Recommendations, model: &Model) {
    let on_grid = |v: f64| ((v * 100.0).round() - v * 100.0).abs() < 1e-9;
    let step = |v: f64| if on_grid(v) { "0.01" } else { "any" };
    let tol = recs.profile.control_tolerance;
    out.push_str("<div id=\"whatif\" hidden=\"hidden\"><h2>What if?</h2><p class=\"small\">Move these and the list, the chart and the map re-rank as the library would for these settings. The settings go into the page's address, so a link keeps them.</p><div class=\"controls\">");
    let _ = write!(
        out,
        "<label class=\"ctl\"><span>control tolerance</span><input type=\"range\" id=\"tol\" min=\"0\" max=\"1\" step=\"{}\" value=\"{tol}\"/><output id=\"tol-out\">{tol}</output></label>",
        step(tol)
    );
    let sum: f64 = model.weights.iter().sum();
    let max = model.weights.iter().copied().fold(1.0, f64::max);
    for (i, c) in Component::ALL.iter().enumerate() {
        let w = model.weights[i];
        let _ = write!(
            out,
            "<label class=\"ctl\"><span><span class=\"swatch\" style=\"background:{}\"></span>{} weight</span><input type=\"range\" class=\"weight\" data-i=\"{i}\" min=\"0\" max=\"{max}\" step=\"{}\" value=\"{w}\"/><output class=\"weight-out\" data-i=\"{i}\">{:.0}%</output></label>",
            COLOURS[i],
            c.as_str(),
            step(w),
            100.0 * w / sum
        );
    }
    out.push_str("</div><div class=\"goals\"><span>goals:</span>");
    for (name, label) in model.goal_names.iter().zip(&model.goal_labels) {
        let on = if model.goals.contains(name) {
            " checked=\"checked\""
        } else {
            ""
        };
        let _ = write!(
            out,
            "<label><input type=\"checkbox\" class=\"goal\" value=\"{name}\"{on}/>{}</label>",
            esc(label)
        );
    }
    out.push_str("<button type=\"button\" id=\"reset\">back to the report's settings</button></div><p id=\"whatif-status\" class=\"small\"></p></div>");
}

fn model<'a>(
    d: &Dataset,
    resolved: &ResolvedProfile,
    options: &Options,
    candidates: &'a [Candidate],
) -> Model<'a> {
    let profile = resolved.profile();
    let levels = [Level::Low, Level::Medium, Level::High];
    let reg = d.regions();
    Model {
        components: Component::ALL.iter().map(|c| c.as_str()).collect(),
        weights: options.weights.as_array(),
        tol: profile.control_tolerance(),
        goals: profile.goals().iter().map(|g| g.as_str()).collect(),
        goal_names: Goal::ALL.iter().map(|g| g.as_str()).collect(),
        goal_labels: Goal::ALL.iter().map(|g| g.label()).collect(),
        tech_fit: Goal::ALL
            .iter()
            .map(|g| levels.map(|t| tech_fit(*g, profile.tech_level(), t)))
            .collect(),
        affinity: Goal::ALL
            .iter()
            .map(|g| Kind::ALL.map(|k| goal_affinity(*g, k)))
            .collect(),
        level_value: levels.map(|l| 1.0 - control_fit(0.0, l)),
        top_k: options.top_k,
        min_score: options.filter.min_score,
        max_per_city: options.diversity.max_per_city,
        max_per_kind: options.diversity.max_per_kind,
        pareto_min_sector: crate::explain::PARETO_MIN_SECTOR,
        cell_x: levels.map(level_x),
        cell_y: levels.map(level_y),
        candidates: candidates
            .iter()
            .map(|c| {
                let m = &c.m;
                ModelCandidate {
                    id: &m.id,
                    kind: Kind::ALL.iter().position(|k| *k == m.kind).unwrap_or(0),
                    help: c.help_only,
                    tech: m.tech.rank(),
                    control: m.control.rank(),
                    city: c.city,
                    province: m.province.as_deref().and_then(|name| {
                        TILES.iter().map(|t| t.0).find(|id| {
                            reg.find_province(id)
                                .is_some_and(|p| reg.province(p).name() == name)
                        })
                    }),
                    sector: m.components[Component::Sector],
                    region: m.components[Component::Region],
                    reciprocity: m.components[Component::Reciprocity],
                    evidence: m.components[Component::Evidence],
                }
            })
            .collect(),
    }
}

/// JSON that is also safe as XML text and inside an HTML `<script>`: `<`, `>` and `&`
/// (which occur only inside strings) become `\u` escapes.
fn script_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// How many candidates outside the list the page explains ("why not?").
const WHY_NOT_SHOWN: usize = 10;

/// The page's script: reads the model, applies settings from the URL and the controls.
const SCRIPT: &str = include_str!("report.js");

/// "Your consortium": the call, its members and its constraints.
fn consortium_section(o: &mut String, c: &crate::consortium::Consortium) {
    let _ = write!(
        o,
        "<h2 id=\"consortium\">Your consortium: {}</h2><p class=\"small\">Template {} ({}), advice as of {}.",
        esc(&c.call_name),
        esc(&c.call),
        esc(&c.source),
        c.as_of
    );
    if let Some(p) = &c.programme {
        let _ = write!(o, " Programme: {}.", esc(p));
    }
    o.push_str("</p>");
    if c.members.is_empty() {
        let _ = write!(
            o,
            "<p class=\"warn\">No consortium from your {} matches: {}.</p>",
            c.candidates,
            esc(c.none.as_deref().unwrap_or("none found"))
        );
        return;
    }
    let _ = write!(
        o,
        "<p>{} partners, total score {:.3}: {}.</p>",
        c.members.len(),
        c.total,
        if c.proved_optimal {
            "no set meeting the call scores more (complete search)".to_string()
        } else {
            format!("the best found; no set scores more than {:.3}", c.bound)
        }
    );
    o.push_str("<p class=\"small\">The members' scores are those of the list below, at the report's own settings; the what-if controls do not re-form the consortium.</p><table class=\"consortium\"><thead><tr><th>Role</th><th>Partner</th><th>Score (rank)</th><th>Adds</th><th>Runner-up</th><th>Risks</th></tr></thead><tbody>");
    for m in &c.members {
        let _ = write!(
            o,
            "<tr data-id=\"{}\"><td>{}</td><td>{}<br/><span class=\"small\">{}, {}</span></td><td>{:.3} ({})</td><td><ul>",
            esc(&m.id),
            esc(&m.role_name),
            esc(&m.name),
            esc(m.kind.as_str()),
            esc(&crate::output::place(m.city.as_deref(), m.province.as_deref())),
            m.score,
            m.rank
        );
        for a in &m.adds {
            let _ = write!(o, "<li>{}</li>", esc(a));
        }
        o.push_str("</ul></td><td>");
        match &m.runner_up {
            Some(r) => {
                let _ = write!(
                    o,
                    "{} [{:.3}, rank {}]: total falls by {:.3}",
                    esc(&r.name),
                    r.score,
                    r.rank,
                    r.loss
                );
            }
            None => o.push_str("none can take this role with every constraint met"),
        }
        o.push_str("</td><td>");
        for r in &m.risks {
            risk(o, r);
        }
        o.push_str("</td></tr>");
    }
    o.push_str("</tbody></table><ul class=\"small\">");
    for k in &c.constraints {
        let _ = write!(
            o,
            "<li>{} {}: {}</li>",
            if k.holds { "holds:" } else { "FAILS:" },
            esc(&k.rule),
            esc(&k.actual)
        );
    }
    o.push_str("</ul>");
}

/// The questions a reader asks next, answered on the page: why each match is above the
/// next one, and why the next candidates are not on the list.
pub(crate) struct Questions<'a> {
    pub why_not: &'a [crate::whynot::WhyNot],
    pub above: &'a [crate::explain::Comparison],
}

/// The whole page.
pub(crate) fn page(
    d: &Dataset,
    resolved: &ResolvedProfile,
    options: &Options,
    recs: &Recommendations,
    candidates: &[Candidate],
    questions: &Questions,
    consortium: Option<&crate::consortium::Consortium>,
) -> String {
    let why_not = questions.why_not;
    let p = &recs.profile;
    let business = resolved.profile().goals().contains(&Goal::BusinessSupport);
    let mut o = String::with_capacity(128 * 1024);
    o.push_str("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/>");
    let _ = write!(o, "<title>Chinese partners for {}</title>", esc(&p.name));
    o.push_str(
        "<style>body{font-family:sans-serif;margin:24px;color:#222;max-width:1200px}h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px}\
         table{border-collapse:collapse;width:100%}td,th{border-top:1px solid #ddd;padding:6px;vertical-align:top;text-align:left;font-size:13px}\
         .small{font-size:11px;fill:#555;color:#555}.label{font-size:10px;font-weight:bold}.legend span{display:inline-block;margin-right:12px;font-size:12px}\
         .swatch{display:inline-block;width:10px;height:10px;margin-right:4px}.src{color:#777}.warn{color:#a50f15}ul{margin:2px 0;padding-left:18px}\
         .figs{display:flex;flex-wrap:wrap;gap:24px}.dated{background:#fff7e6;border:1px solid #f0c36d;padding:8px 12px;font-size:13px}\
         details.risk{margin:2px 0}details.risk summary{cursor:pointer;color:#a50f15}\
         details.whynot summary,details.above summary{cursor:pointer}details.whynot pre,details.above pre{white-space:pre-wrap;font-size:12px;background:#f6f8fa;padding:6px}\
         #whatif{background:#f6f8fa;border:1px solid #ddd;padding:8px 14px}.controls{display:flex;flex-wrap:wrap;gap:6px 22px}\
         .ctl{display:flex;align-items:center;gap:6px;font-size:12px}.ctl>span:first-child{min-width:130px}.ctl output{min-width:34px;text-align:right}\
         .goals{font-size:12px;margin-top:8px}.goals label{margin-right:12px}.map-legend{font-size:12px}.map-legend span{margin-right:14px;display:inline-block}\
         .outl{display:inline-block;width:14px;height:10px;border:3px solid #252525;vertical-align:middle;margin-right:4px}\
         .disc{display:inline-block;width:12px;height:12px;border-radius:6px;background:#d94801;vertical-align:middle;margin-right:4px}</style></head><body>",
    );
    let _ = write!(
        o,
        "<h1>Chinese partners for {} ({})</h1>",
        esc(&p.name),
        esc(&p.country)
    );
    let _ = write!(
        o,
        "<p class=\"dated\"><b>Evidence from 2018.</b> Every reason below comes from the ECCP's Preparatory Briefing on China (D3.2, 2018); its list of the top 100 industrial clusters (Table 4) dates from 2010. Programmes, rules and organisations may have changed since: check a partner's website and the programme's current terms before you act. Advice as of {}: programmes whose window, as the briefing states it, has closed by then are not offered. Data version {}.</p>",
        recs.as_of, recs.data_version
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
    if let Some(c) = consortium {
        consortium_section(&mut o, c);
    }
    let model = model(d, resolved, options, candidates);
    controls(&mut o, recs, &model);
    o.push_str(
        "<div class=\"figs\"><div><h2>Tech level against political control (section 3.1)</h2>",
    );
    chart(&mut o, candidates, recs, business);
    let unfit = d.partners().len() - candidates.len();
    let _ = write!(
        o,
        "<p class=\"small\" id=\"chart-caption\">Each dot is a candidate in your field ({} of them); the {unfit} records with no sector fit are not drawn. Numbered: the top matches. Red shading: how much of the control score each control level loses at your tolerance (<span id=\"tol-caption\">{}</span>). <span id=\"pareto-caption\"{}>Dashed green: the Pareto front, the cells no other partner in your field beats on both higher tech and lower control.</span></p></div>",
        candidates.len(),
        p.control_tolerance,
        if recs.pareto.is_empty() { " hidden=\"hidden\"" } else { "" }
    );
    o.push_str("<div><h2>Where the top matches are</h2>");
    map(&mut o, d, resolved, recs);
    let _ = write!(
        o,
        "<p class=\"map-legend\"><span><span class=\"swatch\" style=\"background:{}\"></span>Pearl River Delta</span><span><span class=\"swatch\" style=\"background:{}\"></span>Yangtze River Delta</span><span><span class=\"swatch\" style=\"background:{}\"></span>Bohai Rim</span><span><span class=\"swatch\" style=\"background:{}\"></span>elsewhere (section 3.1)</span><br/><span><span class=\"outl\"></span>a region you prefer</span><span><span class=\"disc\"></span>number of top matches there</span><span>national bodies are counted apart</span></p></div></div>",
        region_fill("pearl_river_delta"),
        region_fill("yangtze_river_delta"),
        region_fill("bohai_rim"),
        region_fill("central")
    );
    o.push_str("<h2>The matches</h2><p class=\"legend\">");
    for (i, c) in Component::ALL.iter().enumerate() {
        let _ = write!(
            o,
            "<span><span class=\"swatch\" style=\"background:{}\"></span>{}</span>",
            COLOURS[i],
            c.as_str()
        );
    }
    o.push_str("</p><table><thead><tr><th>#</th><th>partner</th><th>score</th><th>why</th><th>watch out (click for the text)</th><th>who can help</th></tr></thead><tbody id=\"matches\">");
    let _ = write!(
        o,
        "<tr id=\"none\"{}><td colspan=\"6\">No partner passes the filters.</td></tr>",
        if recs.matches.is_empty() {
            ""
        } else {
            " hidden=\"hidden\""
        }
    );
    // The matches in rank order, then every other candidate, hidden, for the script.
    let by_id: BTreeMap<&str, &Candidate> =
        candidates.iter().map(|c| (c.m.id.as_str(), c)).collect();
    for m in &recs.matches {
        if let Some(c) = by_id.get(m.id.as_str()) {
            row(&mut o, c, Some(m.rank));
        }
    }
    for c in candidates {
        if !recs.matches.iter().any(|m| m.id == c.m.id) {
            row(&mut o, c, None);
        }
    }
    o.push_str("</tbody></table>");
    if !questions.above.is_empty() {
        o.push_str("<h2>Why is each match above the next?</h2><p class=\"small\">At the report's own settings: the components where the two differ, with the reasons behind each side; the differences add up to the gap in score.</p>");
        for c in questions.above {
            let _ = write!(
                o,
                "<details class=\"above\" data-a=\"{}\" data-b=\"{}\"><summary>{} above {} by {:.3}</summary><pre>{}</pre></details>",
                esc(&c.a.id),
                esc(&c.b.id),
                esc(&c.a.name),
                esc(&c.b.name),
                c.gap,
                esc(c.to_text().trim_end())
            );
        }
    }
    if !why_not.is_empty() {
        let _ = write!(
            o,
            "<h2>Not on your list: why not?</h2><p class=\"small\">The next {} candidates in your field, at the report's own settings. Open one to see what would put it in your top {}: each change is checked by ranking again, and says who would drop out.</p>",
            why_not.len(),
            options.top_k
        );
        for w in why_not {
            let _ = write!(
                o,
                "<details class=\"whynot\" data-id=\"{}\"><summary>{} [{:.3}], {}</summary><pre>{}</pre></details>",
                esc(&w.partner.id),
                esc(&w.partner.name),
                w.partner.score,
                esc(&w.partner.standing),
                esc(w.to_text().trim_end())
            );
        }
    }
    if !recs.general_risks.is_empty() {
        o.push_str("<h2>True of every match</h2>");
        for r in &recs.general_risks {
            risk(&mut o, r);
        }
    }
    let _ = write!(
        o,
        "<p class=\"small\">Source: ECCP D3.2 Preparatory Briefing on China (2018; Table 4 from 2010); data version {}.</p>",
        recs.data_version
    );
    let _ = write!(
        o,
        "<script type=\"application/json\" id=\"model\">{}</script><script>//<![CDATA[\n{}\n//]]></script></body></html>\n",
        script_json(&model),
        SCRIPT.trim_end()
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
