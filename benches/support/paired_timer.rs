//! Paired, interleaved whole-process wall-clock timer for `scripts/bench`.
//!
//! Not a Cargo bench target (Cargo only discovers `benches/*.rs` and `benches/*/main.rs`):
//! `scripts/bench` compiles it with plain `rustc -O`, so it has no dependencies.
//!
//! Usage: `paired_timer PAIRS WARMUP -- A [ARGS…] -- B [ARGS…]`
//!
//! Runs the two commands PAIRS times each, one of each per pair, choosing at random (a fixed
//! seed, so runs are repeatable) which of the two goes first, after WARMUP unmeasured pairs.
//! Each sample is the time from just before the process is spawned (posix_spawn, no shell)
//! to just after it has been reaped; stdin and stdout are /dev/null, stderr a scratch file
//! (emptied before each run). Any run that exits non-zero aborts the measurement, printing
//! what it said on stderr. Each run's CPU time (user + system, from
//! `getrusage(RUSAGE_CHILDREN)`) is recorded too: on a busy machine it is a steadier figure
//! than wall time, which also counts the time spent waiting for a core.
//!
//! Prints one line of space-separated numbers, times in microseconds:
//! `a_median b_median ratio_of_medians median_of_pair_ratios a_p10 a_p90 b_p10 b_p90
//! a_cpu_median b_cpu_median cpu_ratio_of_medians`

use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

/// Total CPU time (user + system) of all reaped children so far, in microseconds.
#[cfg(target_os = "linux")]
fn children_cpu_micros() -> f64 {
    // struct rusage on 64-bit Linux: two struct timevals (seconds, microseconds), 14 longs.
    unsafe extern "C" {
        fn getrusage(who: i32, usage: *mut [i64; 18]) -> i32;
    }
    const RUSAGE_CHILDREN: i32 = -1;
    let mut usage = [0i64; 18];
    // SAFETY: `usage` is as large as the kernel's struct rusage on 64-bit Linux.
    if unsafe { getrusage(RUSAGE_CHILDREN, &mut usage) } != 0 {
        return 0.0;
    }
    ((usage[0] + usage[2]) * 1_000_000 + usage[1] + usage[3]) as f64
}

#[cfg(not(target_os = "linux"))]
fn children_cpu_micros() -> f64 {
    0.0
}

/// Where the runs' stderr goes: kept only to show why a run failed.
struct Said {
    path: std::path::PathBuf,
    file: std::fs::File,
}

impl Said {
    fn new() -> Result<Said, String> {
        let path = std::env::temp_dir().join(format!("paired_timer-{}.err", std::process::id()));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(Said { path, file })
    }
}

impl Drop for Said {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Runs `argv` once: (wall, cpu) microseconds.
fn run(argv: &[String], said: &Said) -> Result<(f64, f64), String> {
    said.file
        .set_len(0)
        .map_err(|e| format!("scratch file: {e}"))?;
    let stderr = said
        .file
        .try_clone()
        .map_err(|e| format!("scratch file: {e}"))?;
    let cpu = children_cpu_micros();
    let start = Instant::now();
    let status = Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", argv[0]))?;
    let micros = start.elapsed().as_secs_f64() * 1e6;
    if !status.success() {
        let text = std::fs::read_to_string(&said.path).unwrap_or_default();
        return Err(format!(
            "{} failed: {status}: {}",
            argv.join(" "),
            text.trim_end()
        ));
    }
    Ok((micros, children_cpu_micros() - cpu))
}

/// The value at quantile `q` (0..=1) of sorted `v`, nearest rank.
fn quantile(v: &[f64], q: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let i = ((s.len() - 1) as f64 * q).round() as usize;
    s[i]
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = (|| {
        let pairs: usize = args.first()?.parse().ok()?;
        let warmup: usize = args.get(1)?.parse().ok()?;
        let rest = args.get(2..)?;
        let (sep, rest) = rest.split_first()?;
        let split = rest.iter().position(|a| a == "--")?;
        let (a, b) = (&rest[..split], &rest[split + 1..]);
        (sep == "--" && pairs > 0 && !a.is_empty() && !b.is_empty())
            .then(|| (pairs, warmup, a.to_vec(), b.to_vec()))
    })();
    let Some((pairs, warmup, a, b)) = parsed else {
        eprintln!("usage: paired_timer PAIRS WARMUP -- A [ARGS…] -- B [ARGS…]");
        return ExitCode::from(2);
    };

    let said = match Said::new() {
        Ok(said) => said,
        Err(e) => {
            eprintln!("paired_timer: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut coin = || {
        // xorshift64
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed & 1 == 1
    };
    let (mut ta, mut tb) = (Vec::with_capacity(pairs), Vec::with_capacity(pairs));
    let (mut ca, mut cb) = (Vec::with_capacity(pairs), Vec::with_capacity(pairs));
    for i in 0..warmup + pairs {
        let result = if coin() {
            run(&a, &said).and_then(|x| run(&b, &said).map(|y| (x, y)))
        } else {
            run(&b, &said).and_then(|y| run(&a, &said).map(|x| (x, y)))
        };
        match result {
            Ok((x, y)) if i >= warmup => {
                ta.push(x.0);
                tb.push(y.0);
                ca.push(x.1);
                cb.push(y.1);
            }
            Ok(_) => {}
            Err(e) => {
                eprintln!("paired_timer: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let ratios: Vec<f64> = ta.iter().zip(&tb).map(|(x, y)| x / y).collect();
    let (ma, mb) = (quantile(&ta, 0.5), quantile(&tb, 0.5));
    let (mca, mcb) = (quantile(&ca, 0.5), quantile(&cb, 0.5));
    println!(
        "{:.0} {:.0} {:.3} {:.3} {:.0} {:.0} {:.0} {:.0} {:.0} {:.0} {:.3}",
        ma,
        mb,
        ma / mb,
        quantile(&ratios, 0.5),
        quantile(&ta, 0.1),
        quantile(&ta, 0.9),
        quantile(&tb, 0.1),
        quantile(&tb, 0.9),
        mca,
        mcb,
        mca / mcb.max(1.0)
    );
    ExitCode::SUCCESS
}
