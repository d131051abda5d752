/// Every file the model names must be in the model directory: the conda.yaml or
/// python_env.yaml that MLmodel's `python_function.env` points at, and each requirements file
/// included with `-r`/`-c`. A missing file means the deployment builds an environment without
/// the model's packages (or fails to build one). Also warns when the model declares no
/// environment at all.

import ModelFiles

struct ProvideEveryReferencedFile: LoaderDiagnosticsRule {
    let rule = RuleDescription(
        id: "MLE002", name: "ProvideEveryReferencedFile", severity: .error, category: .environmentFiles,
        summary: "an environment or requirements file the model references is missing")
}
