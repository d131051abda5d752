// CSV rows as pandas' C parser splits them: LF, CRLF and a lone CR each end a row, blank lines
// are skipped, a CR inside quotes is data. (Checked with pandas 2.3.3: 'a,b\r1,2\r3,4\r' is two
// rows of two columns, and so is 'a,b\r\n1,2\r\n\r\n3,4'.)

import Testing

@testable import Inference

@Suite struct CSVRowTests {
    @Test(arguments: ["a,b\r1,2\r3,4\r", "a,b\r\n1,2\r\n\r\n3,4", "a,b\n1,2\n3,4\n", "a,b\r\r1,2\n\r3,4"])
    func lineEndingsSplitRowsAsPandasDoes(_ text: String) {
        #expect(CSVText.rows(text) == [["a", "b"], ["1", "2"], ["3", "4"]])
    }

    @Test func aCarriageReturnInQuotesIsData() {
        #expect(CSVText.rows("a,b\n1,\"x\ry\"\n") == [["a", "b"], ["1", "x\ry"]])
    }
}
