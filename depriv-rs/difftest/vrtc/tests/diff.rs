//! The fixed-seed differential slice: the Rust vrtc against Xen's rtc.c.

use difftest_vrtc::*;

#[test]
fn random_streams_match_xen_rtc_c() {
    let seed = 0x5eed_0000_0005_0001;
    let sum = run_random(seed, 60, 3_000);
    println!("vrtc difftest (seed {seed:#x}): {}", sum.report());
    for d in &sum.first {
        println!(
            "divergence at step {}: {:?} env {:?}: {}",
            d.step, d.op, d.env, d.what
        );
    }
    println!("{}", sum.coverage());
    assert!(sum.steps >= 100_000, "slice too small: {}", sum.steps);
    // The stream must reach every kind of call and outcome.
    assert!(sum.ev_counts.iter().all(|&n| n > 0), "{}", sum.coverage());
    assert!(sum.outcomes.iter().all(|&n| n > 0), "{}", sum.coverage());
    assert!(sum.fires.iter().all(|&n| n > 0), "{}", sum.coverage());
    assert_eq!(sum.divergences, 0);
}

/// Clocks far from the usual (pre-1970 local times, huge system times).
#[test]
fn extreme_clocks_match_xen_rtc_c() {
    let seed = 0x5eed_0000_0005_0002;
    let sum = run_random_with(seed, 20, 2_000, extreme_env);
    println!(
        "vrtc difftest, extreme clocks (seed {seed:#x}): {}",
        sum.report()
    );
    for d in &sum.first {
        println!(
            "divergence at step {}: {:?} env {:?}: {}",
            d.step, d.op, d.env, d.what
        );
    }
    assert_eq!(sum.divergences, 0);
}

fn wr(p: &mut Pair, index: u8, val: u8) {
    p.step(Op::Io {
        write: true,
        port: 0x70,
        bytes: 1,
        val: index as u32,
    });
    p.step(Op::Io {
        write: true,
        port: 0x71,
        bytes: 1,
        val: val as u32,
    });
}

fn rd(p: &mut Pair, index: u8) -> vrtc::IoOutcome {
    p.step(Op::Io {
        write: true,
        port: 0x70,
        bytes: 1,
        val: index as u32,
    });
    p.step(Op::Io {
        write: false,
        port: 0x71,
        bytes: 1,
        val: 0,
    })
}

fn check(p: &Pair) {
    for d in &p.divergences {
        println!("divergence at step {}: {:?}: {}", d.step, d.op, d.what);
    }
    assert_eq!(p.total_divergences, 0, "{}", p.report());
}

const NS: i64 = 1_000_000_000;

/// Scripted: 2024-02-29 23:59:59 in BCD 12-hour mode, through midnight,
/// both models side by side.
#[test]
fn scripted_leap_day_bcd_12h_matches_xen() {
    let mut p = Pair::new(vrtc::Env {
        now: 1_000 * NS + 123_456_789,
        wc_sec: 1_700_000_000,
        time_offset: 0,
        wc_nsec: 999_000_000,
        vpt_align: 0,
    });
    wr(&mut p, 0x0b, 0x80);
    for (i, v) in [
        (0u8, 0x59u8),
        (2, 0x59),
        (4, 0x91),
        (6, 5),
        (7, 0x29),
        (8, 2),
        (9, 0x24),
    ] {
        wr(&mut p, i, v);
    }
    wr(&mut p, 0x0b, 0x00);
    let mut rng = Rng::new(1);
    p.advance(NS, &mut rng, 0);
    for i in [0u8, 2, 4, 6, 7, 8, 9] {
        rd(&mut p, i);
    }
    assert_eq!(rd(&mut p, 8), vrtc::IoOutcome::Okay(3));
    check(&p);
}

/// Scripted: alarm (AIE) and update-ended (UIE) interrupts over a minute.
#[test]
fn scripted_alarm_and_update_interrupts_match_xen() {
    let mut p = Pair::new(vrtc::Env {
        now: 77 * NS,
        wc_sec: 1_234_567_890,
        time_offset: 3600,
        wc_nsec: 5,
        vpt_align: 1,
    });
    let mut rng = Rng::new(2);
    wr(&mut p, 0x01, 0x30);
    wr(&mut p, 0x03, 0xc0);
    wr(&mut p, 0x05, 0xc0);
    wr(&mut p, 0x0b, 0x02 | 0x20 | 0x10 | 0x40);
    for _ in 0..200 {
        p.advance(300_000_000, &mut rng, 10_000);
        rd(&mut p, 0x0c);
        rd(&mut p, 0x0a);
    }
    assert!(p.fires[2] > 0 && p.fires[1] > 0, "{:?}", p.fires);
    check(&p);
}

/// Scripted: every index 0..0x7f with and without the NMI bit, reads and
/// writes of both ports, sizes 1, 2 and 4.
#[test]
fn scripted_all_indexes_and_sizes_match_xen() {
    let mut p = Pair::new(vrtc::Env {
        now: 5 * NS,
        wc_sec: 1_000_000_000,
        time_offset: 0,
        wc_nsec: 0,
        vpt_align: 0,
    });
    for index in 0..=255u32 {
        for port in 0x6f..=0x72u32 {
            for bytes in [1u32, 2, 4] {
                p.step(Op::Io {
                    write: true,
                    port: 0x70,
                    bytes: 1,
                    val: index,
                });
                p.step(Op::Io {
                    write: false,
                    port,
                    bytes,
                    val: 0,
                });
                // Writes only to harmless registers (C, D) or beyond 14.
                if index & 0x7f >= 12 {
                    p.step(Op::Io {
                        write: true,
                        port,
                        bytes,
                        val: 0xa5,
                    });
                }
            }
        }
    }
    check(&p);
}

/// Scripted: restoring records with every byte value in each register.
#[test]
fn scripted_hostile_records_match_xen() {
    let mut p = Pair::new(vrtc::Env {
        now: 9 * NS,
        wc_sec: 1_500_000_000,
        time_offset: 0,
        wc_nsec: 1,
        vpt_align: 0,
    });
    let mut rng = Rng::new(3);
    for reg in 0..16usize {
        for v in 0..=255u8 {
            let mut rec = p.rust.hw;
            if reg < 14 {
                rec.cmos_data[reg] = v;
            } else if reg == 14 {
                rec.cmos_index = v;
            } else {
                // Down to 1889: gmtime()'s pre-1970 path.
                rec.rtc_offset = (v as i64 - 128) * 20_000_000;
            }
            p.step(Op::Load {
                rec,
                time_offset_set: v & 1 == 0,
            });
            rd(&mut p, v % 14);
            p.advance(rng.below(2 * NS as u64) as i64, &mut rng, 1000);
        }
    }
    check(&p);
}
