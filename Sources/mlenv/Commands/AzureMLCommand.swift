import ArgumentParser
import Emit
import FoundationEssentials
import JSON

struct AzureMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "azureml",
        abstract:
            "Write an Azure ML environment and managed online or batch deployment for a model's locked environment.",
        discussion: """
            Resolves the model for the azureml-online deployment and writes to DIR:
              environment.yml   Azure ML environment: the profile's base image and conda.yml
              conda.yml         the locked environment, every conda and pip package pinned
              score/score.py    mlenv's scoring script (the bundle's inference/score.py)
              deployment.yml    managed online deployment: the model (type mlflow_model, its path
                                relative to DIR), the environment, the scoring script,
                                MLFLOW_MODEL_FOLDER, instance type and count
              README.md         how to use them
            Then: az ml online-deployment create -f DIR/deployment.yml --all-traffic

            An environment turns Azure's no-code MLflow deployment off (no generated scoring \
            script, no injected MLFLOW_MODEL_FOLDER), so the deployment on the locked environment \
            brings mlenv's scoring script. --image IMAGE deploys an image built from the bundle \
            (`mlenv package`) instead: environment.yml names it and its routes on the profile's \
            port, with no conda file and no script. --no-code writes Azure's no-code deployment \
            (no environment: Azure builds from the model's own conda.yaml); environment.yml and \
            conda.yml are still written to register.

            Names: --name defaults to the model directory's name with characters Azure does not \
            allow replaced; --endpoint defaults to that name lowercased (3-32 letters, digits and \
            -, starting with a letter), and `az ml online-deployment create --endpoint-name` \
            overrides it. Existing different files are not overwritten without --force.

            --deployment azureml-batch writes a batch deployment instead (`az ml batch-deployment \
            create -f DIR/deployment.yml`): type model, the compute cluster (--compute), \
            mini_batch_size files per call (--mini-batch-size), output_action append_row into \
            predictions.csv, retry_settings (--max-retries, --retry-timeout seconds), \
            error_threshold (--error-threshold), max_concurrency_per_instance, instance_count, \
            and mlenv's batch scoring script score/batch_driver.py (init() loads the model with \
            mlflow.pyfunc from AZUREML_MODEL_DIR and MLFLOW_MODEL_FOLDER; run() reads each file of \
            a mini batch, .csv, .parquet, .json or .jsonl, with pandas and returns one row per \
            prediction with its file's name). Other deployments are refused (exit 2).

            Exit codes: 0 written, 1 unsatisfiable (nothing written), 2 bad input.

            Examples:
              mlenv azureml fixtures/models/sklearn-conda -o azureml/ --sources embedded
              mlenv azureml path/to/model -o out --endpoint churn-prod --deployment-name green --instance-type Standard_F4s_v2
              mlenv azureml path/to/model -o out --image myregistry.example/churn:1
              mlenv azureml path/to/model -o out --no-code --format json
              mlenv azureml path/to/model -o batch --deployment azureml-batch --compute cpu-cluster --mini-batch-size 20
            """
    ).underMLEnv()

    @OptionGroup var subject: ModelForDeployment

    @Option(name: .shortAndLong, help: ArgumentHelp("The directory to write the Azure ML files to.", valueName: "dir"))
    var output: String

    @Option(
        help: ArgumentHelp(
            "The environment's name (default: the model directory's name, sanitized).", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("The environment's version.", valueName: "version"))
    var version = "1"

    @Option(
        help: ArgumentHelp(
            "An image built from mlenv's bundle to run instead of base image + conda file.", valueName: "image"))
    var image: String?

    @Flag(help: "Azure's no-code MLflow deployment: the deployment carries no environment.")
    var noCode = false

    @Option(help: ArgumentHelp("The deployment's name.", valueName: "name"))
    var deploymentName = "blue"

    @Option(help: ArgumentHelp("The endpoint's name (default: from the model directory's name).", valueName: "name"))
    var endpoint: String?

    @Option(help: ArgumentHelp("The VM size of the deployment.", valueName: "size"))
    var instanceType = "Standard_DS3_v2"

    @Option(help: ArgumentHelp("How many instances.", valueName: "n"))
    var instanceCount = 1

    @Option(help: ArgumentHelp("Batch: the compute cluster the deployment runs on.", valueName: "name"))
    var compute = "cpu-cluster"

    @Option(help: ArgumentHelp("Batch: how many files each call of the scoring script's run() gets.", valueName: "n"))
    var miniBatchSize = 10

    @Option(help: ArgumentHelp("Batch: how many times a failed mini batch is retried.", valueName: "n"))
    var maxRetries = 3

    @Option(help: ArgumentHelp("Batch: seconds a mini batch may take before it is retried.", valueName: "seconds"))
    var retryTimeout = 300

    @Option(help: ArgumentHelp("Batch: failed files tolerated before the job fails (-1: all).", valueName: "n"))
    var errorThreshold = -1

    @Option(help: ArgumentHelp("Batch: scoring processes per instance.", valueName: "n"))
    var maxConcurrencyPerInstance = 1

    @Flag(help: "Overwrite existing files that differ.")
    var force = false

    @Option(help: "Output format: text, or json (the files written).")
    var format: OutputFormat = .text

    func validate() throws {
        if image != nil && noCode { throw ValidationError("--image and --no-code exclude each other") }
        if let image, image.isEmpty || image.contains(where: { $0.isWhitespace }) {
            throw ValidationError("--image: expected an image reference")
        }
        if instanceCount < 1 { throw ValidationError("--instance-count: expected 1 or more") }
        if !AzureMLFiles.isValidEndpointName(deploymentName) {
            throw ValidationError(
                "--deployment-name: Azure ML wants 3 to 32 letters, digits and -, starting with a letter and not ending with -"
            )
        }
        if let endpoint, !AzureMLFiles.isValidEndpointName(endpoint) {
            throw ValidationError(
                "--endpoint: Azure ML wants 3 to 32 letters, digits and -, starting with a letter and not ending with -"
            )
        }
        if let name, AzureMLFiles.environmentName(from: name) != name {
            throw ValidationError(
                "--name: Azure ML wants letters, digits, -, _ and ., starting with a letter or digit (e.g. \(AzureMLFiles.environmentName(from: name)))"
            )
        }
        if version.isEmpty
            || !version.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") }
            )
        {
            throw ValidationError("--version: expected letters, digits, ., - and _")
        }
        let computeName = compute.hasPrefix("azureml:") ? String(compute.dropFirst("azureml:".count)) : compute
        if computeName.isEmpty || computeName.count > 64
            || !computeName.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        {
            throw ValidationError("--compute: expected a compute cluster's name (letters, digits, - and _)")
        }
        if miniBatchSize < 1 { throw ValidationError("--mini-batch-size: expected 1 or more") }
        if maxRetries < 0 { throw ValidationError("--max-retries: expected 0 or more") }
        if retryTimeout < 1 { throw ValidationError("--retry-timeout: expected 1 second or more") }
        if errorThreshold < -1 { throw ValidationError("--error-threshold: expected -1 (no limit) or more") }
        if maxConcurrencyPerInstance < 1 { throw ValidationError("--max-concurrency-per-instance: expected 1 or more") }
        if instanceType.isEmpty
            || !instanceType.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        {
            throw ValidationError("--instance-type: expected a VM size such as Standard_DS3_v2")
        }
    }

    func run() throws {
        // The deployment is checked before anything is solved.
        let (effective, _) = try ProjectDefaults.apply(near: subject.model, subject.deployment, subject.channelOptions)
        let profile = try effective.profile()
        let isBatch = profile.name == "azureml-batch"
        guard profile.name == "azureml-online" || isBatch else {
            throw CommandError(
                "mlenv azureml writes Azure ML managed online deployments (deployment azureml-online) and batch deployments (azureml-batch), not \(profile.name); use `mlenv lock` or `mlenv package` for \(profile.name)"
            )
        }
        if image != nil && profile.port == nil && !isBatch {
            throw CommandError("the \(profile.name) profile names no port for --image's routes")
        }
        let resolved = try subject.resolve()
        let modelURL = URL(fileURLWithPath: subject.model).standardizedFileURL
        let folder = modelURL.lastPathComponent
        var inputs = AzureMLInputs(
            lock: resolved.lock, shape: image != nil ? .image : noCode ? .noCode : .scoringScript,
            environmentName: name ?? AzureMLFiles.environmentName(from: folder), environmentVersion: version,
            image: image, deploymentName: deploymentName,
            endpointName: endpoint ?? AzureMLFiles.endpointName(from: folder),
            instanceType: instanceType, instanceCount: instanceCount,
            modelPath: Self.relativePath(from: Self.physical(output), to: Self.physical(subject.model)),
            modelFolder: folder)
        if isBatch {
            inputs.batch = AzureMLBatchSettings(
                compute: compute, miniBatchSize: miniBatchSize, maxRetries: maxRetries, timeoutSeconds: retryTimeout,
                errorThreshold: errorThreshold, maxConcurrencyPerInstance: maxConcurrencyPerInstance)
        }
        let files: [(String, String)]
        do {
            files = try AzureMLFiles.render(inputs)
            try OutputFiles.write(files, to: output, force: force)
        } catch let error as AzureMLError {
            throw CommandError(error.message)
        } catch {
            throw CommandError("\(error)")
        }
        let paths = files.map { output + "/" + $0.0 }
        if format == .json {
            let value: JSONValue = ["files": .array(paths.map { .string($0) })]
            StandardOutput.write(value.serialized(pretty: true) + "\n")
        } else {
            StandardError.write(
                "wrote \(paths.joined(separator: ", ")) (\(resolved.resolution.packages.count) packages)\n")
            StandardError.write(
                isBatch
                    ? "deploy: az ml batch-deployment create -f \(output)/deployment.yml --set-default\n"
                    : "deploy: az ml online-deployment create -f \(output)/deployment.yml --all-traffic\n")
        }
    }

    /// The absolute path with symlinks resolved as far as the path exists (the output directory
    /// may not exist yet), so that `..` steps mean what they mean to the filesystem.
    static func physical(_ path: String) -> [String] {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var existing = absolute
        var rest: [String] = []
        while !FileManager.default.fileExists(atPath: existing), existing != "/" {
            let url = URL(fileURLWithPath: existing)
            rest.insert(url.lastPathComponent, at: 0)
            existing = url.deletingLastPathComponent().path
        }
        let resolved = URL(fileURLWithPath: existing).resolvingSymlinksInPath().path
        return resolved.split(separator: "/").map(String.init) + rest
    }

    /// `to` relative to the directory `from`, both absolute component lists.
    static func relativePath(from: [String], to: [String]) -> String {
        var common = 0
        while common < from.count, common < to.count, from[common] == to[common] { common += 1 }
        let steps = Array(repeating: "..", count: from.count - common) + to[common...]
        return steps.isEmpty ? "." : steps.joined(separator: "/")
    }
}
