//! `--config tutti.toml` beside flags and the environment (flag > environment > file >
//! default), and `tutti config check`: the settings in force, secrets masked, what is unsafe.
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt as _;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_tutti");

fn temp(name: &str) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("tutti-config-{}-{name}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn tutti(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let mut command = Command::new(BIN);
    command.args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("TUTTI_") {
            command.env_remove(k);
        }
    }
    command.envs(env.iter().copied());
    let out = command.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn setting<'a>(printed: &'a str, key: &str) -> &'a str {
    printed
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{key} ")))
        .unwrap_or_else(|| panic!("{key} printed: {printed}"))
        .trim()
}

#[test]
fn flags_beat_the_environment_which_beats_the_file_which_beats_the_default() {
    let dir = temp("precedence");
    let file = dir.join("tutti.toml");
    std::fs::write(
        &file,
        "hub_name = \"From the file\"\nmail_from = \"File <f@hub.example>\"\npublic_url = \"https://file.example\"\n\
         stripe_secret_key = \"sk_live_secret_value\"\nstripe_webhook_secret = 'whsec_secret_value'\n\
         database_url = \"postgres://tutti:db-password@127.0.0.1/hub\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let f = file.display().to_string();
    let (ok, out, err) = tutti(
        &[
            "config",
            "check",
            "--config",
            &f,
            "--public-url",
            "https://flag.example",
        ],
        &[("TUTTI_MAIL_FROM", "Env <e@hub.example>")],
    );
    assert!(ok, "nothing unsafe: {out}{err}");
    assert!(
        setting(&out, "public_url").contains("https://flag.example  (flag)"),
        "{out}"
    );
    assert!(
        setting(&out, "mail_from").contains("Env <e@hub.example>  (environment)"),
        "{out}"
    );
    assert!(setting(&out, "hub_name").contains("From the file  (file)"), "{out}");
    assert!(setting(&out, "bind").contains("127.0.0.1:8080  (default)"), "{out}");
    assert!(setting(&out, "stripe_secret_key").contains("******"), "{out}");
    assert!(!out.contains("secret_value"), "secrets are masked: {out}");
    assert!(!out.contains("db-password"), "passwords in URLs are masked: {out}");
    assert!(out.contains("Nothing unsafe found."), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_says_what_is_unsafe() {
    let dir = temp("unsafe");
    let file = dir.join("tutti.toml");
    std::fs::write(
        &file,
        "bind = \"0.0.0.0:8080\"\ntrust_proxy = true\nstripe_secret_key = \"sk_live_x\"\n\
         database_url = \"postgres://tutti:pw@db.internal/hub?sslmode=require\"\nsmtp_url = \"smtp://u:p@mail.example\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (ok, out, _) = tutti(&["config", "check", "--config", &file.display().to_string()], &[]);
    assert!(!ok, "unsafe settings fail the check");
    for said in [
        "plain HTTP on 0.0.0.0:8080",
        "forge X-Forwarded-For",
        "sslmode=verify-full",
        "smtp_url to mail.example in the clear with a password",
        "chmod 600",
    ] {
        assert!(out.contains(said), "says {said:?}: {out}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_key_that_is_no_setting_is_refused() {
    let dir = temp("unknown");
    let file = dir.join("tutti.toml");
    std::fs::write(&file, "stripe-secret-key = \"x\"\n").unwrap();
    let (ok, _, err) = tutti(&["serve", "--config", &file.display().to_string()], &[]);
    assert!(!ok);
    assert!(
        err.contains("not a setting") && err.contains("stripe_secret_key"),
        "{err}"
    );
    std::fs::write(&file, "[serve]\nbind = \"x\"\n").unwrap();
    let (ok, _, err) = tutti(&["serve", "--config", &file.display().to_string()], &[]);
    assert!(!ok && err.contains("line 1"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_runs_with_the_files_settings() {
    let dir = temp("serve");
    let file = dir.join("tutti.toml");
    std::fs::write(
        &file,
        format!(
            "data_dir = \"{}\"\nbind = \"127.0.0.1:0\"\npublic_url = \"http://hub.from-file.example\"\n",
            dir.join("data").display()
        ),
    )
    .unwrap();
    let mut child = Command::new(BIN)
        .args(["serve", "--config", &file.display().to_string()])
        .env_remove("TUTTI_DATA_DIR")
        .env_remove("TUTTI_BIND")
        .env_remove("TUTTI_PUBLIC_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    while let Some(Ok(line)) = lines.next() {
        printed.push_str(&line);
        printed.push('\n');
        if line.contains("/setup?code=") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(printed.contains("Tutti is running at http://127.0.0.1:"), "{printed}");
    assert!(
        printed.contains("http://hub.from-file.example/setup?code="),
        "{printed}"
    );
    assert!(
        dir.join("data").join("tutti.db").exists(),
        "the file's data_dir is used"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
