// The comment rule of pip's requirements files (pip/_internal/req/req_file.py, COMMENT_RE
// `(^|\s+)#.*$`): `#` starts a comment at the start of a line or after a space or tab only, so
// `pkg @ https://host/pkg.whl#sha256=...` and `pkg#1` keep their `#`. Every reader of
// requirement lines (ModelFiles' requirements files, `mlenv mirror -r`) uses this one rule.

public enum RequirementLine {
    /// `line` without its comment (the `#` and what follows it); trailing whitespace is kept.
    public static func strippingComment(_ line: String) -> String {
        var previous: Character? = nil
        var index = line.startIndex
        while index < line.endIndex {
            let c = line[index]
            if c == "#" && (previous == nil || previous == " " || previous == "\t") {
                return String(line[..<index])
            }
            previous = c
            index = line.index(after: index)
        }
        return line
    }
}
