// pip's requirement-line comment rule, shared by ModelFiles and `mlenv mirror -r`.

import Specs
import Testing

@Suite struct RequirementLineTests {
    @Test(arguments: [
        ("numpy==1.26  # pinned", "numpy==1.26  "),
        ("# a comment", ""),
        ("numpy\t#tab", "numpy\t"),
        ("pkg#1", "pkg#1"),
        (
            "pkg @ https://files.example/pkg-1.0-py3-none-any.whl#sha256=abc",
            "pkg @ https://files.example/pkg-1.0-py3-none-any.whl#sha256=abc"
        ),
        ("pkg @ https://files.example/pkg.whl#sha256=abc # why", "pkg @ https://files.example/pkg.whl#sha256=abc "),
        ("no comment", "no comment")
    ])
    func stripsOnlyAHashAtTheStartOrAfterWhitespace(line: String, expected: String) {
        #expect(RequirementLine.strippingComment(line) == expected)
    }
}
