//! `tutti timetable` as a planner runs it: generate an instance, solve it, solve again from
//! that solution with a move penalty, and check both.
use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_tutti");

fn tutti(args: &[&str]) -> (bool, String) {
    let out = Command::new(BIN)
        .arg("timetable")
        .args(args)
        .output()
        .expect("run tutti");
    (out.status.success(), String::from_utf8(out.stdout).unwrap())
}

fn cost(instance: &str, solution: &str) -> i64 {
    let (ok, report) = tutti(&["check", instance, solution]);
    assert!(ok, "{report}");
    let v: serde_json::Value = serde_json::from_str(&report).unwrap();
    v["cost"].as_i64().unwrap()
}

#[test]
fn a_warm_start_from_the_command_line() {
    let dir: PathBuf = std::env::temp_dir().join(format!("tutti-timetable-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    let (ok, instance) = tutti(&[
        "generate",
        "--seed",
        "4",
        "--teachers",
        "6",
        "--schools",
        "15",
        "--lessons",
        "120",
    ]);
    assert!(ok);
    std::fs::write(path("instance.json"), instance).unwrap();
    let (ok, first) = tutti(&["solve", &path("instance.json"), "--seconds", "0.5"]);
    assert!(ok);
    std::fs::write(path("first.json"), first).unwrap();
    let (ok, again) = tutti(&[
        "solve",
        &path("instance.json"),
        "--seconds",
        "0.5",
        "--seed",
        "2",
        "--start",
        &path("first.json"),
        "--move-penalty",
        "5",
    ]);
    assert!(ok);
    std::fs::write(path("again.json"), again).unwrap();
    assert!(cost(&path("instance.json"), &path("again.json")) <= cost(&path("instance.json"), &path("first.json")));
    // A penalty needs a start to count moves from.
    let (ok, _) = tutti(&[
        "solve",
        &path("instance.json"),
        "--seconds",
        "0.5",
        "--move-penalty",
        "5",
    ]);
    assert!(!ok);
    std::fs::remove_dir_all(&dir).unwrap();
}
