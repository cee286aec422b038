"""The process a demo runs in: ``python -m studyapp.runner.child ID --device D --seed N ...``.

It is the only place torch is imported. It speaks line-delimited JSON on stdout, one
event per line, flushed as it happens, so the parent can show progress live:

* ``{"event": "start", "device": ..., "torch_version": ..., "import_seconds": ...}``
* ``{"event": "progress", "fraction": 0.4, "message": "..."}``
* ``{"event": "result", ...Result fields..., "seconds": ...}``
* ``{"event": "error", "message": "...", "traceback": "..."}`` (exit code 2 when the
  request itself is wrong, e.g. an absent device; 1 when the demo crashed)
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import math
import os
import sys
import time
import traceback

EXIT_CRASH = 1
EXIT_BAD_REQUEST = 2


def emit(event: str, **fields) -> None:
    sys.stdout.write(json.dumps({"event": event, **fields}, ensure_ascii=False, allow_nan=False,
                                default=_jsonable) + "\n")
    sys.stdout.flush()


def _jsonable(value):
    if hasattr(value, "item"):  # numpy / torch scalars
        return value.item()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def _finite(value):
    """JSON has no NaN/inf: send them as strings the parent can show."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


class BadRequest(Exception):
    """The run cannot start as asked (absent device, unknown demo)."""


def resolve_device(torch, wanted: str) -> str:
    """'auto' picks cuda, then mps, then cpu; a named device must be present."""
    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if wanted == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if wanted == "cuda" and not cuda:
        raise BadRequest(f"device 'cuda' is not available here (torch {torch.__version__}, "
                         f"{'no CUDA build' if torch.version.cuda is None else 'no CUDA GPU visible'}); "
                         "use --device cpu or auto")
    if wanted == "mps" and not mps:
        raise BadRequest("device 'mps' is not available here (Apple GPUs only); use --device cpu or auto")
    if wanted not in ("cpu", "cuda", "mps"):
        raise BadRequest(f"unknown device {wanted!r} (choose auto, cpu, cuda or mps)")
    return wanted


def make_deterministic(torch) -> None:
    """The same seed gives the same numbers run after run on one device: PyTorch's deterministic
    kernels where it has them (warn_only: an op without one warns instead of failing), no cuDNN
    autotuning. Different devices still round differently; seeding is the demos' own job."""
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True


def load_demo_module(demo_id: str):
    from studyapp.runner.catalog import catalog

    info = catalog().get(demo_id)
    if info is None:
        raise BadRequest(f"unknown demo {demo_id!r} (known: {', '.join(catalog())})")
    if info.path is None:
        return importlib.import_module(info.module)
    spec = importlib.util.spec_from_file_location(info.module, info.path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[info.module] = module
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="studyapp.runner.child")
    parser.add_argument("demo_id")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mode", choices=("quick", "full"), default="quick")
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        started = time.perf_counter()
        # cuBLAS is deterministic only with a fixed workspace, which must be set before CUDA starts
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        import torch

        import_seconds = time.perf_counter() - started
        if args.threads > 0:
            torch.set_num_threads(args.threads)
        device = resolve_device(torch, args.device)
        make_deterministic(torch)
        module = load_demo_module(args.demo_id)
    except BadRequest as exc:
        emit("error", message=str(exc), traceback="", bad_request=True)
        return EXIT_BAD_REQUEST
    except Exception as exc:  # e.g. a demo file that does not import
        emit("error", message=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc())
        return EXIT_CRASH
    emit("start", device=device, torch_version=torch.__version__, import_seconds=round(import_seconds, 3),
         threads=torch.get_num_threads(), deterministic=torch.are_deterministic_algorithms_enabled())

    def progress(fraction: float, message: str) -> None:
        emit("progress", fraction=max(0.0, min(1.0, float(fraction))), message=str(message))

    began = time.perf_counter()
    try:
        result = module.run(device=device, seed=args.seed, quick=args.mode == "quick", progress=progress)
    except Exception as exc:
        emit("error", message=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc())
        return EXIT_CRASH
    seconds = time.perf_counter() - began
    fields = _finite(result.to_dict())
    fields["claim_holds"] = bool(result.claim_holds)
    emit("result", **fields, seconds=round(seconds, 3), device=device, torch_version=torch.__version__)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything has been said: skip torch's interpreter teardown, which costs 0.2-0.8 s
    # that the user would otherwise wait before seeing the verdict.
    os._exit(code)
