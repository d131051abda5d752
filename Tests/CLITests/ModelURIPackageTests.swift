// `mlenv package` of MLflow model URIs, and MLflow 3's URI forms (stages, latest, logged
// models), against the real `mlflow server` of ModelURITests with more real registrations made
// by MLflow's own client: version 1 of iris moved to Production, a version 2 in Staging, a copy
// of the fixture with a nested folder (iris-nested), and a logged model (MLflow 3) registered as
// iris-logged. A small hostile server (Python's http.server) checks that a listing cannot write
// outside the download folder and that the bounds hold whatever sizes the server claims.

import Foundation
import Glibc
import JSON
import Testing

@Suite(.serialized) struct ModelURIPackageTests {
    /// Prints "MODEL_ID" on its last line.
    static let registerMore = """
        import os, shutil, sys, tempfile, mlflow
        from mlflow import MlflowClient
        fixture, run_id = sys.argv[1], sys.argv[2]
        client = MlflowClient()
        experiment = mlflow.set_experiment("mlenv")
        root = client.get_run(run_id).info.artifact_uri
        client.transition_model_version_stage("iris", "1", "Production")
        v2 = client.create_model_version("iris", source=f"{root}/model", run_id=run_id)
        client.transition_model_version_stage("iris", v2.version, "Staging")
        nested = os.path.join(tempfile.mkdtemp(), "model")
        shutil.copytree(fixture, nested)
        os.makedirs(os.path.join(nested, "data", "deeper"))
        with open(os.path.join(nested, "data", "deeper", "weights.txt"), "w") as f:
            f.write("nested file\\n")
        client.log_artifacts(run_id, nested, artifact_path="nested-model")
        client.create_registered_model("iris-nested")
        client.create_model_version("iris-nested", source=f"{root}/nested-model", run_id=run_id)
        logged = client.create_logged_model(experiment.experiment_id, name="iris-logged", source_run_id=run_id)
        client.log_model_artifacts(logged.model_id, fixture)
        client.finalize_logged_model(logged.model_id, "READY")
        client.create_registered_model("iris-logged")
        client.create_model_version("iris-logged", source=logged.artifact_location, run_id=run_id, model_id=logged.model_id)
        shutil.rmtree(os.path.dirname(nested))
        print(logged.model_id)
        """

    static func registerMore(_ server: MLflowServer) throws -> String {
        let out = try MLflowServer.runPython(
            registerMore, [CLI.repository.appendingPathComponent("fixtures/models/sklearn-iris").path, server.runID],
            environment: server.environment)
        return out.split(separator: "\n").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
    }

    @Test func stagesLatestAndLoggedModelsResolve() throws {
        let server = try MLflowServer.startOrSkip()
        defer { server.stop() }
        let modelID = try Self.registerMore(server)
        #expect(modelID.hasPrefix("m-"), "\(modelID)")
        let local = try CLI.run(["inspect", "fixtures/models/sklearn-iris"])
        for uri in [
            "models:/iris/Production", "models:/iris/production", "models:/iris/Staging", "models:/iris/latest",
            "models:/\(modelID)",
            "models:/iris-logged/1"
        ] {
            let result = try CLI.run(["inspect", uri], environment: server.environment)
            #expect(result.status == 0, "\(uri): \(result.stderr)")
            #expect(ModelURITests.body(result.stdout) == ModelURITests.body(local.stdout), "\(uri)")
        }
        let cases: [(String, String)] = [
            ("models:/iris/Archived", "iris has no version in stage Archived"),
            (
                "models:/iris/Shipping",
                "'Shipping' is neither a version number, latest, nor a model stage (None, Staging, Production, Archived)"
            ),
            ("models:/no-such-model/latest", "models:/no-such-model/latest: not found on the tracking server"),
            (
                "models:/m-0123456789abcdef0123456789abcdef",
                "no logged model with ID m-0123456789abcdef0123456789abcdef"
            ),
            ("models:/iris", "no logged model with ID iris"),
            ("models:/iris@no-such-alias", "no-such-alias not found")
        ]
        for (uri, message) in cases {
            for command in [["inspect", uri], ["package", uri, "-o", server.directory.path + "/never.tar.gz"]] {
                let result = try CLI.run(command, environment: server.environment)
                #expect(result.status == 2, "\(command): \(result.stdout) \(result.stderr)")
                #expect(result.stderr.contains(message), "\(command): \(result.stderr)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: server.directory.path + "/never.tar.gz"))
        #expect(server.leftovers.isEmpty, "left behind: \(server.leftovers)")
    }

    /// The bundle of a URI holds the same files as the bundle of the same model from a
    /// directory of the same name; its manifest adds "source" only.
    @Test func packageFetchesTheWholeModelAndRecordsItsSource() throws {
        let server = try MLflowServer.startOrSkip()
        defer { server.stop() }
        let modelID = try Self.registerMore(server)
        let scratch = server.directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(
            at: scratch.appendingPathComponent("iris-dir"), withIntermediateDirectories: true)
        let copy = scratch.appendingPathComponent("iris-dir/iris").path
        try FileManager.default.copyItem(
            atPath: CLI.repository.appendingPathComponent("fixtures/models/sklearn-iris").path, toPath: copy)
        let arguments = ["--deployment", "azureml-online", "--env-manager", "virtualenv"]
        let fromDirectory = try CLI.run(["package", copy] + arguments + ["-o", scratch.path + "/dir/"])
        #expect(fromDirectory.status == 0, "\(fromDirectory.stderr)")
        let directoryFiles = try Self.files(scratch.path + "/dir")

        let expected: [(uri: String, source: [String: String])] = [
            ("models:/iris/1", ["registered_model": "iris", "version": "1", "run_id": server.runID]),
            ("models:/iris@champion", ["registered_model": "iris", "version": "1", "run_id": server.runID]),
            ("models:/iris/Production", ["registered_model": "iris", "version": "1", "run_id": server.runID]),
            ("models:/iris/latest", ["registered_model": "iris", "version": "2", "run_id": server.runID]),
            // (MLflow 3.17's REST answer for a model version names no model_id, so none is recorded.)
            ("models:/iris-logged/1", ["registered_model": "iris-logged", "version": "1", "run_id": server.runID])
        ]
        for (index, (uri, source)) in expected.enumerated() {
            let output = scratch.path + "/uri-\(index)/"
            let result = try CLI.run(
                ["package", uri] + arguments + ["--offline", "-o", output], environment: server.environment)
            #expect(result.status == 0, "\(uri): \(result.stderr)")
            guard result.status == 0 else { continue }
            #expect(
                !result.stderr.contains(server.directory.path + "/tmp"),
                "\(uri): a temporary path shown: \(result.stderr)")
            let files = try Self.files(output)
            // Everything but the manifest is byte for byte the directory's bundle (the model is named iris in both)...
            // (iris-logged's Dockerfile and README name it so; its model/ files are the same.)
            for (path, bytes) in directoryFiles
            where path != "MANIFEST.json" && (source["registered_model"] == "iris" || path.hasPrefix("model/")) {
                #expect(files[path] == bytes, "\(uri): \(path) differs")
            }
            #expect(
                Set(files.keys.filter { $0.hasPrefix("model/") })
                    == Set(directoryFiles.keys.filter { $0.hasPrefix("model/") }), "\(uri)")
            // ...and the manifest is the directory's with "source" after "model".
            let manifest = try JSONValue.parse(files["MANIFEST.json"] ?? [])
            guard case .object(let object) = manifest, case .object(let recorded)? = object["source"] else {
                Issue.record("\(uri): no source in MANIFEST.json")
                continue
            }
            #expect(recorded["uri"] == .string(uri))
            #expect(recorded["artifact_uri"]?.stringValue?.hasPrefix("mlflow-artifacts:/") == true)
            for (key, value) in source {
                #expect(recorded[key] == .string(value), "\(uri): \(key) = \(String(describing: recorded[key]))")
            }
            if source["model_id"] == nil { #expect(recorded["model_id"] == nil, "\(uri)") }
            if source["registered_model"] == "iris" {
                var without = object
                without.entries.removeAll { $0.key == "source" }
                #expect(
                    JSONValue.object(without).serialized(pretty: true) + "\n"
                        == String(decoding: directoryFiles["MANIFEST.json"] ?? [], as: UTF8.self),
                    "\(uri): the manifest differs from the directory's beyond source")
            }
        }
        // A logged model by ID; a run path with nested folders, fetched whole.
        let logged = try CLI.run(
            ["package", "models:/\(modelID)"] + arguments + ["--offline", "-o", scratch.path + "/logged/"],
            environment: server.environment)
        #expect(logged.status == 0, "\(logged.stderr)")
        let loggedManifest = try JSONValue.parse(
            FileManager.default.contents(atPath: scratch.path + "/logged/MANIFEST.json").map { [UInt8]($0) } ?? [])
        #expect(loggedManifest["model"] == "iris-logged")
        #expect(loggedManifest["source"]?["model_id"] == .string(modelID))
        #expect(loggedManifest["source"]?["run_id"] == .string(server.runID))
        #expect(loggedManifest["source"]?["registered_model"] == nil)

        let nested = try CLI.run(
            ["package", "models:/iris-nested/1"] + arguments + ["--offline", "-o", scratch.path + "/nested/"],
            environment: server.environment)
        #expect(nested.status == 0, "\(nested.stderr)")
        #expect(
            (try? String(contentsOfFile: scratch.path + "/nested/model/data/deeper/weights.txt", encoding: .utf8))
                == "nested file\n")

        // Bounds: too many files, too many bytes; nothing written, nothing left behind.
        for (option, message) in [
            (["--model-max-files", "3"], "more than 3 files and folders"),
            (["--model-max-bytes", "2000"], "the model is larger than 2000 bytes: ")
        ] {
            let bounded = try CLI.run(
                ["package", "models:/iris/1"] + arguments + option + ["--offline", "-o", scratch.path + "/bounded/"],
                environment: server.environment)
            #expect(bounded.status == 2, "\(option): \(bounded.stderr)")
            #expect(bounded.stderr.contains(message), "\(option): \(bounded.stderr)")
            #expect(!FileManager.default.fileExists(atPath: scratch.path + "/bounded"))
        }
        // Directory models' manifests have no source.
        #expect(try JSONValue.parse(directoryFiles["MANIFEST.json"] ?? [])["source"] == nil)
        #expect(server.leftovers.isEmpty, "left behind: \(server.leftovers)")
    }

    @Test func credentialsAreNotWrittenIntoTheBundle() throws {
        let password = "mlenv-admin-\(UInt32.random(in: 0...UInt32.max))"
        let server = try MLflowServer.startOrSkip(adminPassword: password)
        defer { server.stop() }
        var environment = server.environment
        environment["MLFLOW_TRACKING_USERNAME"] = "admin"
        environment["MLFLOW_TRACKING_PASSWORD"] = password
        let output = server.directory.path + "/bundle"
        let result = try CLI.run(
            [
                "package", "models:/iris@champion", "--deployment", "azureml-online", "--env-manager", "virtualenv",
                "--offline",
                "-o", output + "/"
            ], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains(password) && !result.stderr.contains(password))
        let manifest = try String(contentsOfFile: output + "/MANIFEST.json", encoding: .utf8)
        #expect(manifest.contains("\"uri\": \"models:/iris@champion\""), "\(manifest.prefix(400))")
        // No file of the bundle holds the password or the user (grep -r: every file, binary too).
        for secret in [password, "admin:"] {
            let found = try Self.shell(["grep", "-r", "-l", "-F", "--", secret, output])
            #expect(found.isEmpty, "the bundle holds credentials: \(found)")
        }
    }

    /// A tracking server that lists names leaving the folder, a name twice, files bigger than
    /// they claim, endless folders: each is refused with exit 2 and nothing is written.
    @Test func aHostileServerCannotWriteOutsideOrWithoutBound() throws {
        guard MLflowServer.available else {
            if MLflowServer.required { Issue.record("no .venv-mlflow-server") }
            try Test.cancel("no .venv-mlflow-server")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-hostile-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try MLflowServer.freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: MLflowServer.python)
        server.arguments = ["-c", Self.hostileServer, String(port)]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        // SIGKILL: the child inherits the test runner's blocked signals, SIGTERM among them.
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        _ = try MLflowServer.runPython(
            """
            import sys, time, urllib.request
            for _ in range(100):
                try: urllib.request.urlopen(sys.argv[1]); break
                except Exception as e:
                    if hasattr(e, "code"): break
                    time.sleep(0.1)
            """, ["http://127.0.0.1:\(port)/"], environment: [:])
        let environment = ["MLFLOW_TRACKING_URI": "http://127.0.0.1:\(port)", "TMPDIR": directory.path + "/tmp"]
        let cases: [(String, String, String)] = [
            ("dotdot", "'..' under 'dotdot/m', not a plain file name", "50"),
            ("slash", "the tracking server listed '../escape' under 'slash/m'", "50"),
            ("twice", "listed 'conda.yaml' twice under 'twice/m'", "50"),
            ("liar", "larger than the byte budget left", "50"),
            ("deep", "is nested more than 32 folders deep", "1000"),
            ("wide", "more than 50 files and folders", "50")
        ]
        for (name, message, maxFiles) in cases {
            let result = try CLI.run(
                [
                    "package", "models:/\(name)/1", "--model-max-files", maxFiles, "--model-max-bytes", "100000", "-o",
                    directory.path + "/out/"
                ],
                environment: environment)
            #expect(result.status == 2, "\(name): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(name): \(result.stderr)")
            #expect(
                !FileManager.default.fileExists(atPath: directory.path + "/escape")
                    && !FileManager.default.fileExists(atPath: directory.path + "/tmp/escape"))
            #expect(!FileManager.default.fileExists(atPath: directory.path + "/out"))
            #expect(
                ((try? FileManager.default.contentsOfDirectory(atPath: directory.path + "/tmp")) ?? []).isEmpty,
                "\(name): left behind")
        }
    }

    static let hostileServer = """
        import json, sys, urllib.parse
        from http.server import BaseHTTPRequestHandler, HTTPServer
        MLMODEL = b"flavors:\\n  python_function:\\n    loader_module: mlflow.sklearn\\n"
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args): pass
            def answer(self, body, status=200):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status); self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
            def do_GET(self):
                url = urllib.parse.urlparse(self.path); q = urllib.parse.parse_qs(url.query)
                if url.path.endswith("/model-versions/get"):
                    return self.answer({"model_version": {"name": q["name"][0], "version": "1"}})
                if url.path.endswith("/model-versions/get-download-uri"):
                    return self.answer({"artifact_uri": "mlflow-artifacts:/" + q["name"][0] + "/m"})
                if url.path.endswith("/mlflow-artifacts/artifacts"):
                    path = q.get("path", [""])[0]; kind = path.split("/")[0]
                    files = [{"path": "MLmodel", "is_dir": False, "file_size": len(MLMODEL)}]
                    if kind == "dotdot": files.append({"path": "..", "is_dir": True})
                    if kind == "slash": files.append({"path": "../escape", "is_dir": False, "file_size": 3})
                    if kind == "twice": files += [{"path": "conda.yaml", "file_size": 3}, {"path": "conda.yaml", "file_size": 3}]
                    if kind == "liar": files.append({"path": "big.bin", "is_dir": False, "file_size": 10})
                    if kind == "deep": files.append({"path": "d", "is_dir": True})
                    if kind == "wide": files += [{"path": "f%d" % i, "file_size": 1} for i in range(100)]
                    return self.answer({"files": files})
                if "/mlflow-artifacts/artifacts/" in url.path:
                    if url.path.endswith("/big.bin"): return self.answer(b"x" * 1000000)
                    if url.path.endswith("/MLmodel"): return self.answer(MLMODEL)
                    return self.answer(b"abc")
                self.answer({"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "nothing here"}, 404)
        HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
        """

    /// Every regular file under a directory, by relative path.
    static func files(_ root: String) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                files[relative] = [UInt8](FileManager.default.contents(atPath: root + "/" + relative) ?? Data())
            }
        }
        return files
    }

    static func shell(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
