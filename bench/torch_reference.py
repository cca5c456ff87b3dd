#!/usr/bin/env python3
"""PyTorch CPU reference for bench/train-throughput.ts --vs-torch (run by hand, not a test).

    python3 bench/torch_reference.py --arch chestnet_s --size 64 --images 256 --threads 2

Same architectures as src/ml/models (ChestNetS: 3 x [conv3x3 same + BN + ReLU + maxpool 2] with 32/64/128
filters, flatten, dropout 0.5, dense 512 + ReLU, dropout 0.5, dense N; ResNet-18: torchvision's with a
1-channel stem), grayscale input, batch 32, Adam (lr 1e-3), BCE-with-logits on 14 labels, synthetic data.
Prints ONE JSON line: {"ok": true, "trainImgS", "inferImgS", "stepMs", "torch"} from the median batch time
after 2 warm-up steps, or {"ok": false, "reason"} when torch/torchvision are absent (exit 0, so the bench
prints a note instead of failing). Debian: apt-get install python3-torch python3-torchvision.
"""
import argparse
import json
import statistics
import sys
import time

BATCH = 32


def chestnet_s(nn, num_classes, size):
    layers = []
    channels = 1
    for filters in (32, 64, 128):
        layers += [
            nn.Conv2d(channels, filters, 3, padding=1, bias=True),
            nn.BatchNorm2d(filters, eps=1e-5, momentum=0.1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2, 2),
        ]
        channels = filters
    flat = channels * (size // 8) ** 2
    layers += [
        nn.Flatten(),
        nn.Dropout(0.5),
        nn.Linear(flat, 512),
        nn.ReLU(inplace=True),
        nn.Dropout(0.5),
        nn.Linear(512, num_classes),
    ]
    return nn.Sequential(*layers)


def resnet18(nn, num_classes):
    import torchvision

    model = torchvision.models.resnet18(num_classes=num_classes)
    model.conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
    return model


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--arch", choices=["chestnet_s", "resnet18"], required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--images", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    try:
        import torch
        import torch.nn as nn

        if args.arch == "resnet18":
            import torchvision  # noqa: F401
    except ImportError as error:
        print(json.dumps({"ok": False, "reason": f"{error} (Debian: apt-get install python3-torch python3-torchvision)"}))
        return 0
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = chestnet_s(nn, 14, args.size) if args.arch == "chestnet_s" else resnet18(nn, 14)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    x = torch.rand(BATCH, 1, args.size, args.size)
    y = torch.randint(0, 2, (BATCH, 14)).float()

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    def timed(f):
        t = time.perf_counter()
        f()
        return (time.perf_counter() - t) * 1000

    steps = -(-args.images // BATCH)
    model.train()
    for _ in range(2):
        step()
    step_ms = [timed(step) for _ in range(steps)]
    model.eval()
    with torch.no_grad():
        model(x)
        infer_ms = [timed(lambda: model(x)) for _ in range(steps)]
    print(
        json.dumps(
            {
                "ok": True,
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "trainImgS": BATCH * 1000 / statistics.median(step_ms),
                "inferImgS": BATCH * 1000 / statistics.median(infer_ms),
                "stepMs": step_ms,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
