// What `mlenv validate` prints, rendered in the Inference module without the binary, and the
// payload files it reads.

import FoundationEssentials
import Inference
import JSON
import Testing

@Suite struct PayloadResultsTests {
    private let results = PayloadResults([
        .init(name: "a.json", report: PayloadReport(requestProtocol: .mlflow, format: .dataframeSplit)),
        .init(
            name: "b.json",
            report: PayloadReport(
                requestProtocol: .azureml, format: .inputs,
                findings: [
                    PayloadFinding(.error, path: "input_data.data[0][1]", "expected a long, got \"x\""),
                    PayloadFinding(.warning, path: "", "the extra column c is dropped"),
                    PayloadFinding(.note, path: "params", "no params schema")
                ])),
        .init(
            name: "c.csv",
            report: PayloadReport(findings: [PayloadFinding(.warning, path: "x", "truncated")], strict: true))
    ])

    @Test func textHasAVerdictLineAndAnIndentedLinePerFinding() {
        #expect(
            results.text == """
                a.json: valid (mlflow, dataframe_split)
                b.json: INVALID (azureml, inputs)
                  error: input_data.data[0][1]: expected a long, got "x"
                  warning: the extra column c is dropped
                  note: params: no params schema
                c.csv: INVALID
                  error: x: truncated

                """)
        #expect(!results.allValid)
        #expect(PayloadResults(Array(results.entries.prefix(1))).allValid)
    }

    @Test func jsonIsOneObjectOnlyForOneNamedPayload() {
        let one = PayloadResults(Array(results.entries.prefix(1)))
        #expect(
            one.json(single: true).serialized(pretty: false)
                == #"{"payload":"a.json","valid":true,"protocol":"mlflow","format":"dataframe_split","errors":[],"warnings":[],"notes":[]}"#
        )
        #expect(one.json(single: false).arrayValue?.count == 1)
        let all = results.json(single: true).arrayValue
        #expect(all?.count == 3)
        #expect(all?[2]["errors"]?.arrayValue?.first?["message"]?.stringValue == "truncated")
    }

    @Test func payloadFilesAreReadWholeAndDirectoriesExpanded() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-payloads-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("{\"inputs\": [1]}".utf8).write(to: URL(fileURLWithPath: directory + "/b.json"))
        try Data("x\n1\n".utf8).write(to: URL(fileURLWithPath: directory + "/a.CSV"))
        try Data("ignored".utf8).write(to: URL(fileURLWithPath: directory + "/notes.txt"))
        let paths = try PayloadFile.expand([directory, "-"])
        #expect(paths == [directory + "/a.CSV", directory + "/b.json", "-"])
        #expect(PayloadFile.contentType(of: paths[0], explicit: nil) == "text/csv")
        #expect(PayloadFile.contentType(of: paths[0], explicit: "application/json") == "application/json")
        #expect(try PayloadFile.read(paths[1], standardInput: { [] }) == Array("{\"inputs\": [1]}".utf8))
        #expect(try PayloadFile.read("-", standardInput: { [7] }) == [7])
        #expect(throws: PayloadFile.ReadError.self) { try PayloadFile.read(directory, standardInput: { [] }) }
        #expect(throws: PayloadFile.ReadError.self) {
            try PayloadFile.read(directory + "/missing.json", standardInput: { [] })
        }
        let empty = directory + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        #expect(throws: PayloadFile.ReadError.self) { try PayloadFile.expand([empty]) }
    }
}
