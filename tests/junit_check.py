#!/usr/bin/env python3
"""Checks a JUnit XML report against the rules of the common JUnit schema that Jenkins
(xunit plugin, junit-10.xsd), GitLab and GitHub test-report actions accept, with the standard
library only: which elements may appear where, which attributes each may carry, which are
required, and the format of `time`.

Usage: junit_check.py REPORT.xml   (exit 0 when valid; otherwise one line per finding, exit 1)
"""
import re
import sys
import xml.etree.ElementTree as ET

# `time`: digits, optionally grouped by commas, then at most three decimals (junit-10.xsd's pattern).
TIME = re.compile(r"(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]{0,3})?")

TEXT_ONLY = {"allowed": set(), "required": set(), "children": set(), "text": True}
RERUN = {"allowed": {"message", "type"}, "required": {"type"},
         "children": {"stackTrace", "system-out", "system-err"}, "text": True}
OUTCOME = {"allowed": {"type", "message"}, "required": set(), "children": set(), "text": True}

RULES = {
    "testsuites": {"allowed": {"name", "time", "tests", "failures", "errors"}, "required": set(),
                   "children": {"testsuite"}, "text": False},
    "testsuite": {"allowed": {"name", "tests", "failures", "errors", "group", "time", "skipped", "timestamp",
                              "hostname", "id", "package", "file", "log", "url"},
                  "required": {"name", "tests", "failures", "errors"},
                  "children": {"testsuite", "properties", "testcase", "system-out", "system-err"}, "text": False},
    "testcase": {"allowed": {"name", "time", "classname", "group"}, "required": {"name"},
                 "children": {"skipped", "error", "failure", "rerunFailure", "rerunError", "flakyFailure",
                              "flakyError", "system-out", "system-err"}, "text": False},
    "properties": {"allowed": set(), "required": set(), "children": {"property"}, "text": False},
    "property": {"allowed": {"name", "value"}, "required": {"name", "value"}, "children": set(), "text": False},
    "failure": OUTCOME,
    "error": OUTCOME,
    "skipped": OUTCOME,
    "system-out": TEXT_ONLY,
    "system-err": TEXT_ONLY,
    "stackTrace": TEXT_ONLY,
    "rerunFailure": RERUN,
    "rerunError": RERUN,
    "flakyFailure": RERUN,
    "flakyError": RERUN,
}
TIMED = {"testsuites", "testsuite"}


def check(element, path, findings):
    rules = RULES[element.tag]
    here = f"{path}/{element.tag}" + (f"[@name={element.get('name')!r}]" if element.get("name") else "")
    for name in sorted(set(element.attrib) - rules["allowed"]):
        findings.append(f"{here}: attribute {name!r} is not allowed")
    for name in sorted(rules["required"] - set(element.attrib)):
        findings.append(f"{here}: required attribute {name!r} is missing")
    if element.tag in TIMED and "time" in element.attrib and not TIME.fullmatch(element.get("time")):
        findings.append(f"{here}: time {element.get('time')!r} is not a number of seconds")
    if not rules["text"] and (element.text or "").strip():
        findings.append(f"{here}: text is not allowed here")
    for child in element:
        if child.tag not in rules["children"]:
            findings.append(f"{here}: element <{child.tag}> is not allowed here")
            continue
        if not rules["text"] and (child.tail or "").strip():
            findings.append(f"{here}: text is not allowed here")
        check(child, here, findings)


def main():
    root = ET.parse(sys.argv[1]).getroot()
    findings = []
    if root.tag not in ("testsuites", "testsuite"):
        findings.append(f"the root element is <{root.tag}>, not <testsuites> or <testsuite>")
    else:
        check(root, "", findings)
    for finding in findings:
        print(finding)
    sys.exit(1 if findings else 0)


main()
