//! `ofgroupctl generate-docs DIR` (what `make install` installs): a man page for the command and
//! one per subcommand, and bash, zsh and fish completions, all from the clap definition.

use std::process::Command;

#[test]
fn man_pages_and_completions_cover_every_command() {
    let dir = std::env::temp_dir().join(format!("ofgroupctl-docs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let bin = env!("CARGO_BIN_EXE_ofgroupctl");
    let st = Command::new(bin)
        .arg("generate-docs")
        .arg(&dir)
        .status()
        .unwrap();
    assert!(st.success());
    let help = Command::new(bin).arg("--help").output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    // The subcommands as --help lists them: "  name  text" lines between Commands: and Options:.
    let cmds: Vec<&str> = help
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(cmds.contains(&"watch-group-stats"), "{cmds:?}");
    let main_page = std::fs::read_to_string(dir.join("man1/ofgroupctl.1")).unwrap();
    assert!(main_page.starts_with(".ie") && main_page.contains(".TH ofgroupctl 1"));
    for c in &cmds {
        let page = dir.join(format!("man1/ofgroupctl-{c}.1"));
        assert!(page.exists(), "no man page for {c}");
        assert!(
            main_page.contains(&c.replace('-', "\\-")),
            "{c} not in ofgroupctl.1"
        );
    }
    for (file, needle) in [
        ("ofgroupctl.bash", "complete -F _ofgroupctl"),
        ("_ofgroupctl", "#compdef ofgroupctl"),
        ("ofgroupctl.fish", "complete -c ofgroupctl"),
    ] {
        let text = std::fs::read_to_string(dir.join("completions").join(file)).unwrap();
        assert!(text.contains(needle), "{file}");
        for c in &cmds {
            assert!(text.contains(c), "{c} missing from {file}");
        }
        assert!(
            !text.contains("generate-docs"),
            "{file} lists generate-docs"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
