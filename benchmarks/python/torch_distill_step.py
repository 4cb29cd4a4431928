"""distill's training step in PyTorch, for reference (`bin/nasbert bench distill-step`).

The same student as org.nasbert.student.StudentModel.fresh: BERT embeddings (word, position, type, LayerNorm) at the
embedding width, a linear map to block 0's width when they differ, then per block its layers, each op wrapped as
LayerNorm(x + op(x)) (post-LN): mha (h/64 heads, at least 1), ffn (GELU, inner 4h), sepK (depthwise conv over the
sequence, kernel K, zero padding, then a pointwise linear map and GELU), id (nothing); a linear map between blocks of
different widths and one from the last block to the teacher's width. The loss is distill's hidden-states objective:
mean squared error per element against a target of the teacher's width; Adam. Random ids and targets; every
sequence full length. Prints one JSON line: the median step time over --steps steps after two warm-up steps, tokens/s.
Uses Debian's python3-torch (apt-get install python3-torch libopenblas0-pthread); no network.
"""
import argparse
import json
import statistics
import time

import torch
from torch import nn


class Residual(nn.Module):
    def __init__(self, op, hidden):
        super().__init__()
        self.op = op
        self.norm = nn.LayerNorm(hidden, eps=1e-12)

    def forward(self, x, pad):
        return self.norm(x + self.op(x, pad))


class Attention(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.heads = max(1, hidden // 64)
        self.q, self.k, self.v, self.o = (nn.Linear(hidden, hidden) for _ in range(4))

    def forward(self, x, pad):
        b, s, h = x.shape
        split = lambda t: t.view(b, s, self.heads, h // self.heads).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = (q @ k.transpose(-1, -2) / (h // self.heads) ** 0.5).masked_fill(pad[:, None, None, :], float("-inf"))
        return self.o((scores.softmax(-1) @ v).transpose(1, 2).reshape(b, s, h))


class FeedForward(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.inner, self.outer = nn.Linear(hidden, 4 * hidden), nn.Linear(4 * hidden, hidden)

    def forward(self, x, pad):
        return self.outer(nn.functional.gelu(self.inner(x)))


class SepConv(nn.Module):
    def __init__(self, hidden, kernel):
        super().__init__()
        self.depthwise = nn.Conv1d(hidden, hidden, kernel, padding=kernel // 2, groups=hidden)
        self.pointwise = nn.Linear(hidden, hidden)

    def forward(self, x, pad):
        x = x.masked_fill(pad[:, :, None], 0.0)
        return nn.functional.gelu(self.pointwise(self.depthwise(x.transpose(1, 2)).transpose(1, 2)))


class Student(nn.Module):
    def __init__(self, architecture, embedding, vocab, positions, teacher):
        super().__init__()
        blocks = [(int(b.split(":")[0]), b.split(":")[1].split(",")) for b in architecture.replace(" ", "").split("|")]
        self.words, self.positions, self.types = nn.Embedding(vocab, embedding), nn.Embedding(positions, embedding), nn.Embedding(2, embedding)
        self.norm = nn.LayerNorm(embedding, eps=1e-12)
        self.input = nn.Linear(embedding, blocks[0][0]) if embedding != blocks[0][0] else None
        self.layers = nn.ModuleList()
        for n, (h, ops) in enumerate(blocks):
            for op in ops:
                if op == "mha":
                    self.layers.append(Residual(Attention(h), h))
                elif op == "ffn":
                    self.layers.append(Residual(FeedForward(h), h))
                elif op.startswith("sep"):
                    self.layers.append(Residual(SepConv(h, int(op[3:])), h))
                elif op != "id":
                    raise ValueError("unknown op " + op)
            if n + 1 < len(blocks) and blocks[n + 1][0] != h:
                self.layers.append(Link(h, blocks[n + 1][0]))
        self.output = nn.Linear(blocks[-1][0], teacher)

    def forward(self, ids, types, pad):
        s = ids.shape[1]
        x = self.norm(self.words(ids) + self.positions(torch.arange(s))[None] + self.types(types))
        if self.input is not None:
            x = self.input(x)
        for layer in self.layers:
            x = layer(x, pad)
        return self.output(x)


class Link(nn.Module):
    def __init__(self, a, b):
        super().__init__()
        self.map = nn.Linear(a, b)

    def forward(self, x, pad):
        return self.map(x)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--architecture", required=True)
    p.add_argument("--embedding", type=int, default=128)
    p.add_argument("--vocab", type=int, default=30522)
    p.add_argument("--teacher-hidden", type=int, default=384)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--steps", type=int, default=10)
    a = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    student = Student(a.architecture, a.embedding, a.vocab, 512, a.teacher_hidden)
    adam = torch.optim.Adam(student.parameters(), lr=5e-4, betas=(0.9, 0.999), eps=1e-6)
    ids = torch.randint(1000, a.vocab, (a.batch, a.seq))
    types = torch.zeros_like(ids)
    pad = torch.zeros(a.batch, a.seq, dtype=torch.bool)
    target = torch.randn(a.batch, a.seq, a.teacher_hidden)
    times = []
    for step in range(a.steps + 2):
        t0 = time.perf_counter()
        adam.zero_grad()
        loss = nn.functional.mse_loss(student(ids, types, pad), target)
        loss.backward()
        adam.step()
        if step >= 2:
            times.append(time.perf_counter() - t0)
    median = statistics.median(times)
    print(json.dumps({"engine": "pytorch " + torch.__version__, "threads": torch.get_num_threads(),
                      "weights": sum(p.numel() for p in student.parameters()), "step_ms": median * 1e3,
                      "tokens_per_s": a.batch * a.seq / median, "loss": float(loss)}))


if __name__ == "__main__":
    main()
