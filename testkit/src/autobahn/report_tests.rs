//! Reading a report folder as kosoku writes it.

use super::*;

/// A report folder as kosoku writes it, with two cases (one failed).
fn fixture(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mocket-autobahn-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("a temporary folder");
    let index = r#"{
       "Echo/1.0": {
          "1.2.10": {"behavior": "OK", "behaviorClose": "OK", "duration": 3,
                     "remoteCloseCode": 1000, "reportfile": "echo_1_0_case_1_2_10.json"},
          "1.2.9": {"behavior": "NON-STRICT", "behaviorClose": "OK", "duration": 1,
                    "remoteCloseCode": 1000, "reportfile": "echo_1_0_case_1_2_9.json"},
          "7.1.5": {"behavior": "FAILED", "behaviorClose": "WRONG CODE", "duration": 6,
                    "remoteCloseCode": 1002, "reportfile": "echo_1_0_case_7_1_5.json"}
       }
    }"#;
    fs::write(dir.join("index.json"), index).expect("index.json written");
    let case = r#"{
       "description": "Send message fragment1 followed by close then fragment",
       "expectation": "Clean close with <b>normal</b> code.",
       "result": "The close code should have been 1000 or empty",
       "resultClose": "The close code should have been 1000 or empty",
       "remoteCloseReason": "incomplete fragmented message",
       "wasNotCleanReason": null,
       "expected": {"OK": []},
       "received": []
    }"#;
    fs::write(dir.join("echo_1_0_case_7_1_5.json"), case).expect("case report written");
    dir
}

#[test]
fn reads_index_in_case_order() {
    let dir = fixture("order");
    let report = Report::from_dir(&dir).expect("the fixture parses");
    assert_eq!(report.agent, "Echo/1.0");
    let ids: Vec<&str> = report.cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["1.2.9", "1.2.10", "7.1.5"]);
    let failed = report.case("7.1.5").expect("7.1.5 is there");
    assert_eq!(failed.behavior_close, BehaviorClose::WrongCode);
    assert_eq!(failed.remote_close_code, Some(1002));
    assert_eq!(failed.duration, Duration::from_millis(6));
    assert_eq!(report.count(), 3);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn failures_carry_the_case_words() {
    let dir = fixture("failures");
    let report = Report::from_dir(&dir).expect("the fixture parses");
    let failures = report.failures();
    assert_eq!(failures.len(), 1);
    let text = failures[0].to_string();
    assert!(text.starts_with("7.1.5: FAILED, close WRONG CODE (peer sent 1002 \"incomplete fragmented message\"), 6 ms"), "{text}");
    assert!(
        text.contains("expected: Clean close with normal code."),
        "{text}"
    );
    assert!(
        text.contains("events:   expected {\"OK\":[]}, received []"),
        "{text}"
    );
    let summary = report.summary();
    assert_eq!(
        summary,
        "Echo/1.0: 3 cases, 2 passed, 1 failed\n  OK: 1\n  NON-STRICT: 1 (1.2.9)\n  FAILED: 1 (7.1.5)\n  close WRONG CODE: 1 (7.1.5)"
    );
    let panic = std::panic::catch_unwind(|| report.assert_passed("the fixture"))
        .expect_err("a failed case panics");
    let message = panic
        .downcast_ref::<String>()
        .expect("the panic carries a String");
    assert!(
        message.starts_with("the fixture: 1 of 3 Autobahn cases failed"),
        "{message}"
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn unreadable_case_report_says_so() {
    let dir = fixture("unreadable");
    fs::remove_file(dir.join("echo_1_0_case_7_1_5.json")).expect("removed");
    let report = Report::from_dir(&dir).expect("the fixture parses");
    let failure = &report.failures()[0];
    assert!(failure.description.contains("cannot be read"), "{failure}");
    let _ = fs::remove_dir_all(&dir);
}
