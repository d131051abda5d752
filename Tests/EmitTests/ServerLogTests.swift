// The exception that stopped an inference server, read from its log (ServerLog). The log is a
// real azmlinfsrv 1.5 log of a bundle whose model.pkl is missing (from `mlenv validate --run`,
// scratch paths shortened to /tmp/mlenv-run-1).

import Testing

@testable import Emit

@Suite struct ServerLogTests {
    static let log = #"""
        2026-12-05 08:43:07,038 I [23728] azmlinfsrv.user_script - Invoking user's init function
        2026-12-05 08:43:10,958 E [23728] azmlinfsrv - User's init function failed
        2026-12-05 08:43:10,960 E [23728] azmlinfsrv - Encountered Exception Traceback (most recent call last):
          File "/tmp/mlenv-run-1/venv/lib/python3.11/site-packages/azureml_inference_server_http/server/user_script.py", line 119, in invoke_init
            self._user_init()
          File "/tmp/mlenv-run-1/bundle/broken/inference/score.py", line 110, in init
            _model = mlflow.pyfunc.load_model(path)
                     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
          File "/tmp/mlenv-run-1/venv/lib/python3.11/site-packages/mlflow/tracing/provider.py", line 1069, in wrapper
            return f(*args, **kwargs)
                   ^^^^^^^^^^^^^^^^^^
          File "/tmp/mlenv-run-1/venv/lib/python3.11/site-packages/mlflow/pyfunc/__init__.py", line 1173, in load_model
            model_impl = importlib.import_module(conf[MAIN])._load_pyfunc(data_path)
                         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
          File "/tmp/mlenv-run-1/venv/lib/python3.11/site-packages/mlflow/sklearn/__init__.py", line 614, in _load_pyfunc
            _load_model_from_local_file(
          File "/tmp/mlenv-run-1/venv/lib/python3.11/site-packages/mlflow/sklearn/__init__.py", line 568, in _load_model_from_local_file
            with open(path, "rb") as f:
                 ^^^^^^^^^^^^^^^^
        FileNotFoundError: [Errno 2] No such file or directory: '/tmp/mlenv-run-1/bundle/broken/model/model.pkl'

        The above exception was the direct cause of the following exception:

        Traceback (most recent call last):
          File "/tmp/mlenv-run-1/venv/lib/python3.11/site-packages/azureml_inference_server_http/server/aml_blueprint.py", line 109, in setup
            self.user_script.invoke_init()
          File "/tmp/mlenv-run-1/venv/lib/python3.11/site-packages/azureml_inference_server_http/server/user_script.py", line 121, in invoke_init
            raise UserScriptException(ex) from ex
        azureml_inference_server_http.server.user_script.UserScriptException: Caught an unhandled exception from the user script
        2026-12-05 08:43:10,963 I [23728] azmlinfsrv -             yarl-1.25.1-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl
        2026-12-05 08:43:10,963 I [23728] azmlinfsrv -             zipp-4.1.2-py3-none-any.whl
        2026-12-05 08:43:10,963 I [23728] gunicorn.error - Worker exiting (pid: 23728)
        2026-12-05 08:43:11,388 E [23686] gunicorn.error - Worker (pid:23728) exited with code 3.
        2026-12-05 08:43:11,389 E [23686] gunicorn.error - Shutting down: Master
        2026-12-05 08:43:11,389 E [23686] gunicorn.error - Reason: Worker failed to boot.
        """#

    @Test func theCauseComesFirstWithItsFrameAndTheWrapperLast() throws {
        let failure = try #require(
            ServerLog.failure(in: Self.log, strip: ["/tmp/mlenv-run-1/bundle/broken/", "/tmp/mlenv-run-1/venv/"]))
        #expect(failure.exception == "FileNotFoundError: [Errno 2] No such file or directory: 'model/model.pkl'")
        #expect(failure.frame == "mlflow/sklearn/__init__.py, line 568, in _load_model_from_local_file")
        #expect(
            failure.raised == [
                "azureml_inference_server_http.server.user_script.UserScriptException: Caught an unhandled exception from the user script"
            ])
    }

    @Test func aLogWithoutATracebackHasNoFailure() {
        #expect(ServerLog.failure(in: "Starting gunicorn\nBooting worker\n") == nil)
        #expect(ServerLog.failure(in: "") == nil)
        // A traceback cut off before its exception line names nothing.
        #expect(ServerLog.failure(in: "Traceback (most recent call last):\n  File \"x.py\", line 1, in f\n") == nil)
    }

    @Test func aHugeLogIsReadFromItsEnd() throws {
        let noise = String(repeating: "I azmlinfsrv - loading\n", count: 300_000)
        let failure = try #require(
            ServerLog.failure(
                in: noise + "Traceback (most recent call last):\n  File \"s.py\", line 3, in init\nValueError: bad\n"))
        #expect(failure.exception == "ValueError: bad" && failure.frame == "s.py, line 3, in init")
    }
}
