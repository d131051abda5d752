// The rules of fetching a model URI that need no server: the bundle folder's name and the
// MLmodel check (what the server holds where a model should be).

import Channels
import Testing

@Suite struct RemoteModelFilesTests {
    @Test(arguments: [
        ("iris", "iris"), ("my model/v2", "my-model-v2"), ("..", "model"), (".", "model"), ("", "model"),
        ("naïve", "na-ve"), (String(repeating: "a", count: 150), String(repeating: "a", count: 100))
    ])
    func folderNamesKeepPortableCharactersOnly(name: String, expected: String) {
        #expect(FetchedModelTree.folderName(name) == expected)
    }

    @Test func aFolderWithoutMLmodelSaysWhatItHolds() throws {
        try RemoteModelFiles.requireMLmodel(
            in: [("MLmodel", false), ("model.pkl", false)], model: "models:/iris/1", artifact: "mlflow-artifacts:/1/m")
        #expect {
            try RemoteModelFiles.requireMLmodel(in: [], model: "models:/iris/1", artifact: "mlflow-artifacts:/1/m")
        } throws: {
            ($0 as? ChannelError)?.message
                == "models:/iris/1: there is no MLmodel at mlflow-artifacts:/1/m (nothing is stored there)"
        }
        let many = [("MLmodel", true)] + (1...11).map { ("f\($0)", false) }
        #expect { try RemoteModelFiles.requireMLmodel(in: many, model: "m", artifact: "a") } throws: {
            ($0 as? ChannelError)?.message
                == "m: there is no MLmodel at a (it holds MLmodel/, f1, f2, f3, f4, f5, f6, f7, f8, f9, ...)"
        }
    }

    @Test func aPathIsItsOwnLocalDirectory() throws {
        let remote = RemoteModelFiles()
        #expect(
            try remote.local("fixtures/models/sklearn-iris", namedFiles: { _ in [] }) == "fixtures/models/sklearn-iris")
        #expect(remote.display("fixtures/models/sklearn-iris: ok") == "fixtures/models/sklearn-iris: ok")
    }
}
