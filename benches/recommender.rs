//! The seven bench groups of the crate (criterion, seeded inputs):
//!
//! 1. `end_to_end`: resolve the bundled sample profile, score the embedded partners, explain
//!    the top 10;
//! 2. `resolution`: profile resolution alone (exact, fuzzy and keyword matching);
//! 3. `kernel`: the fused top-10 over N synthetic packed partners, N = 10^3 ... 10^6, with a
//!    streaming read of the same bytes in the same run (and, with `--features rayon`, the
//!    parallel kernel);
//! 4. `batch`: M = 1,000 profiles x N = 100,000 partners, top 10 each;
//! 5. `load`: parsing and validating the embedded dataset;
//! 6. `user_partners`: one explained recommendation for the sample profile against the
//!    embedded data plus N = 10,000 and 100,000 partners of a user's file, all in the
//!    profile's field (the case where ranking and the Pareto view have the most to do), and
//!    reading and validating that file;
//! 7. `consortium`: the best consortium for each shipped call template and the sample
//!    profile (resolve, score, search, explain), and the search alone over N = 100,000
//!    synthetic candidates for the five-role template, as shipped and with its constraints
//!    tightened (one thread: the search is sequential).
//!
//! `cargo bench` runs them; `cargo bench -- --test` runs each once (CI does, so they cannot
//! rot); `benches/compare.sh` sets them beside numpy and faiss.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use eccp_china::kernel::{self, KernelQuery, PackedPartners};
use eccp_china::{
    resolve::Matcher, Dataset, DatasetBuilder, Options, Profile, ProfileInput, Recommender, Weights,
};
use std::hint::black_box;
use std::time::Duration;

const SAMPLE: &str = include_str!("../data/samples/southern-german-e-mobility.json");

fn data() -> &'static Dataset {
    Dataset::embedded().expect("embedded data")
}

/// `m` varied profiles drawn from the taxonomy's labels, seeded.
fn profiles(m: usize, seed: u64) -> Vec<Profile> {
    let t = data().taxonomy();
    let labels: Vec<&str> = t.sectors().iter().map(|s| s.label()).collect();
    let regions = [
        "Pearl River Delta",
        "Sichuan",
        "Bohai Rim",
        "Zhejiang",
        "Go West",
    ];
    let goals = [
        "market_access",
        "rd_cooperation",
        "technology_transfer",
        "sourcing",
        "investment",
    ];
    let mut s = seed;
    let mut next = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 33) as usize
    };
    (0..m)
        .map(|_| {
            let sectors = (0..1 + next() % 3)
                .map(|_| labels[next() % labels.len()].to_string())
                .collect();
            let preferred_regions = if next() % 2 == 0 {
                vec![regions[next() % regions.len()].to_string()]
            } else {
                vec![]
            };
            Profile::try_from(ProfileInput {
                name: "bench".into(),
                country: "DE".into(),
                sectors,
                goals: vec![goals[next() % goals.len()].to_string()],
                control_tolerance: Some((next() % 11) as f64 / 10.0),
                preferred_regions,
                ..ProfileInput::default()
            })
            .expect("generated profile")
        })
        .collect()
}

fn end_to_end(c: &mut Criterion) {
    let rec = Recommender::new(data());
    c.bench_function("end_to_end/sample_top10_explained", |b| {
        b.iter(|| {
            let p = Profile::from_json(black_box(SAMPLE)).unwrap();
            black_box(rec.recommend_profile(&p, &Options::default()).unwrap())
        })
    });
}

fn resolution(c: &mut Criterion) {
    let m = Matcher::new(data());
    let p = Profile::from_json(SAMPLE).unwrap();
    let typos = Profile::from_json(
        r#"{"name": "t", "country": "FR", "sectors": ["biotechnolgy", "renewables", "Blue growth"],
            "keywords": ["offshore wind turbine blades", "battery systems"], "preferred_regions": ["Sichaun", "廣東省"]}"#,
    )
    .unwrap();
    c.bench_function("resolution/sample", |b| {
        b.iter(|| black_box(m.resolve(black_box(&p)).unwrap()))
    });
    c.bench_function("resolution/typos_and_keywords", |b| {
        b.iter(|| black_box(m.resolve(black_box(&typos)).unwrap()))
    });
}

fn sample_query(rec: &Recommender) -> KernelQuery {
    let p = Profile::from_json(SAMPLE).unwrap();
    rec.kernel_query(&rec.resolve(&p).unwrap(), &Weights::default())
        .unwrap()
}

fn kernel_group(c: &mut Criterion) {
    let rec = Recommender::new(data());
    let q = sample_query(&rec);
    let mut g = c.benchmark_group("kernel");
    g.warm_up_time(Duration::from_millis(500));
    for n in [1_000usize, 10_000, 100_000, 1_000_000] {
        let packed = PackedPartners::synthetic(data(), n, 7);
        g.throughput(Throughput::Bytes(packed.bytes() as u64));
        g.bench_with_input(BenchmarkId::new("top10", n), &packed, |b, p| {
            b.iter(|| black_box(kernel::top_k(p, &q, 10)))
        });
        // The streaming-read baseline: as many bytes as the kernel streams, read once.
        let words = vec![1u64; packed.bytes().div_ceil(8)];
        g.bench_with_input(BenchmarkId::new("stream_read", n), &words, |b, w| {
            b.iter(|| black_box(w.iter().fold(0u64, |a, x| a.wrapping_add(*x))))
        });
        #[cfg(feature = "rayon")]
        g.bench_with_input(BenchmarkId::new("top10_parallel", n), &packed, |b, p| {
            b.iter(|| black_box(kernel::top_k_parallel(p, &q, 10)))
        });
    }
    g.finish();
}

fn batch(c: &mut Criterion) {
    let rec = Recommender::new(data());
    let packed = PackedPartners::synthetic(data(), 100_000, 11);
    let queries: Vec<KernelQuery> = profiles(1_000, 3)
        .iter()
        .map(|p| {
            rec.kernel_query(&rec.resolve(p).unwrap(), &Weights::default())
                .unwrap()
        })
        .collect();
    let mut g = c.benchmark_group("batch");
    g.sample_size(10);
    g.bench_function("m1000_n100000_top10", |b| {
        b.iter(|| black_box(kernel::batch_top_k(&packed, &queries, 10)))
    });
    #[cfg(feature = "rayon")]
    g.bench_function("m1000_n100000_top10_parallel", |b| {
        b.iter(|| black_box(kernel::batch_top_k_parallel(&packed, &queries, 10)))
    });
    g.finish();
}

fn load(c: &mut Criterion) {
    c.bench_function("load/embedded_dataset", |b| {
        b.iter(|| black_box(DatasetBuilder::new().build().unwrap()))
    });
    c.bench_function("load/recommender_from_dataset", |b| {
        b.iter(|| black_box(Recommender::new(data())))
    });
}

/// A user's partner file of `n` synthetic records in the sample profile's field, spread over
/// the places of the regions table (what `scripts/gen-partners.py` writes, in Rust).
fn user_partner_file(n: usize) -> String {
    let places: Vec<(String, String)> = data()
        .regions()
        .places()
        .iter()
        .map(|p| {
            (
                data().regions().province(p.province()).id().to_string(),
                p.id().to_string(),
            )
        })
        .collect();
    let kinds = ["industrial_cluster", "association", "research_institute"];
    let sectors = [
        "[\"automotive\"]",
        "[\"electric_vehicles\"]",
        "[\"auto_parts\", \"automotive\"]",
    ];
    let mut out = String::from("{\"partners\": [\n");
    for i in 0..n {
        let (province, place) = &places[(i * 7919) % places.len()];
        let kind = kinds[i % kinds.len()];
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            "{{\"id\": \"synthetic-{i}\", \"kind\": \"{kind}\", \"name\": \"Synthetic partner {i}\", \
             \"province\": \"{province}\", \"place\": \"{place}\", \"sectors\": {}, \
             \"formal_organisation\": {}, \
             \"sources\": [{{\"ref\": \"External: synthetic record for scale runs\"}}]}}\n",
            sectors[(i / 3) % sectors.len()],
            kind != "industrial_cluster" || i % 2 == 0
        ));
    }
    out.push_str("]}\n");
    out
}

fn user_partners(c: &mut Criterion) {
    let p = Profile::from_json(SAMPLE).unwrap();
    let mut g = c.benchmark_group("user_partners");
    g.sample_size(10);
    for n in [10_000usize, 100_000] {
        let file = user_partner_file(n);
        let d = Dataset::builder()
            .partners_json("synthetic.json", file.clone())
            .build()
            .expect("the synthetic file is valid");
        let rec = Recommender::new(d);
        let resolved = rec.resolve(&p).unwrap();
        g.bench_with_input(
            BenchmarkId::new("recommend_top10_explained", n),
            &n,
            |b, _| b.iter(|| black_box(rec.recommend(&resolved, &Options::default()).unwrap())),
        );
        g.bench_with_input(BenchmarkId::new("load_file", n), &n, |b, _| {
            b.iter(|| {
                black_box(
                    Dataset::builder()
                        .partners_reader("synthetic.json", file.as_bytes())
                        .unwrap()
                        .build()
                        .unwrap(),
                )
            })
        });
    }
    g.finish();
}

fn consortium(c: &mut Criterion) {
    use eccp_china::consortium::{search, synthetic_candidates, CallTemplate, RoleSpec};
    let rec = Recommender::new(data());
    let profile = Profile::from_json(SAMPLE).unwrap();
    let mut g = c.benchmark_group("consortium");
    for call in CallTemplate::builtin().unwrap() {
        g.bench_function(BenchmarkId::new("sample_explained", call.id()), |b| {
            b.iter(|| {
                let r = rec.resolve(&profile).unwrap();
                black_box(rec.consortium(&r, call, &Options::default()).unwrap())
            })
        });
    }
    let cands = synthetic_candidates(100_000, 7);
    let five = CallTemplate::find("escp4i_partnership").unwrap();
    let roles: Vec<RoleSpec> = five.roles().iter().map(|r| r.spec()).collect();
    let tight = CallTemplate::from_parts(
        "tight",
        &roles,
        eccp_china::consortium::Constraints {
            max_per_city: Some(1),
            min_provinces: 5,
            min_formal_organisations: 5,
            max_partners: 6,
        },
    )
    .unwrap();
    g.sample_size(20);
    for (name, call) in [("escp4i_partnership", five), ("escp4i_tightened", &tight)] {
        g.bench_function(BenchmarkId::new("search_100000", name), |b| {
            b.iter(|| black_box(search(call, black_box(&cands))))
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    end_to_end,
    resolution,
    kernel_group,
    batch,
    load,
    user_partners,
    consortium
);
criterion_main!(benches);
