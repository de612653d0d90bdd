#include "model/criticalpath.h"

#include <algorithm>

namespace CriticalPath {

bool Result::contains(int index) const
{
    return std::any_of(steps.begin(), steps.end(), [index](const Step& s) { return s.span == index; });
}

std::vector<std::uint64_t> Result::selfTimes(std::size_t spanCount) const
{
    std::vector<std::uint64_t> times(spanCount, 0);
    for (const Step& s : steps)
        if (s.span >= 0 && std::size_t(s.span) < spanCount)
            times[std::size_t(s.span)] = s.selfTimeNanos;
    return times;
}

namespace {

int chooseRoot(const SpanTree& tree)
{
    int root = -1;
    for (const int r : tree.roots) {
        const SpanTree::Record& s = tree.spans[std::size_t(r)];
        if (root < 0) {
            root = r;
            continue;
        }
        const SpanTree::Record& best = tree.spans[std::size_t(root)];
        const std::uint64_t end = std::max(s.endTimeUnixNano, s.startTimeUnixNano);
        const std::uint64_t bestEnd = std::max(best.endTimeUnixNano, best.startTimeUnixNano);
        if (end > bestEnd || (end == bestEnd && s.startTimeUnixNano < best.startTimeUnixNano))
            root = r;
    }
    return root;
}

} // namespace

Result compute(const SpanTree& tree)
{
    Result result;
    const std::size_t n = tree.spans.size();
    result.root = chooseRoot(tree);
    if (result.root < 0)
        return result;

    // Each span's interval clipped to its parent's (top down from the root); a span left with nothing is out.
    std::vector<std::uint64_t> start(n, 0), end(n, 0);
    std::vector<char> in(n, 0);
    const SpanTree::Record& rootSpan = tree.spans[std::size_t(result.root)];
    start[std::size_t(result.root)] = rootSpan.startTimeUnixNano;
    end[std::size_t(result.root)] = std::max(rootSpan.endTimeUnixNano, rootSpan.startTimeUnixNano);
    if (end[std::size_t(result.root)] == start[std::size_t(result.root)])
        return result; // no duration: nothing to wait on
    in[std::size_t(result.root)] = 1;
    std::vector<int> todo { result.root };
    while (!todo.empty()) {
        const int p = todo.back();
        todo.pop_back();
        for (const int c : tree.children(p)) {
            const SpanTree::Record& s = tree.spans[std::size_t(c)];
            if (s.endTimeUnixNano < s.startTimeUnixNano)
                continue;
            const std::uint64_t cs = std::max(s.startTimeUnixNano, start[std::size_t(p)]);
            const std::uint64_t ce = std::min(s.endTimeUnixNano, end[std::size_t(p)]);
            if (cs >= ce)
                continue;
            start[std::size_t(c)] = cs;
            end[std::size_t(c)] = ce;
            in[std::size_t(c)] = 1;
            todo.push_back(c);
        }
    }

    // The walk back from the root's end. A frame's children are sorted by (clipped) end, latest first (ties: the
    // longer one, then tree order); the cursor only moves back, so each frame scans its children once.
    struct Frame {
        int span;
        std::uint64_t cursor;
        std::vector<int> children;
        std::size_t next = 0;
    };
    const auto frameOf = [&](int span) {
        Frame f { span, end[std::size_t(span)], {}, 0 };
        for (const int c : tree.children(span))
            if (in[std::size_t(c)])
                f.children.push_back(c);
        std::stable_sort(f.children.begin(), f.children.end(), [&](int a, int b) {
            if (end[std::size_t(a)] != end[std::size_t(b)])
                return end[std::size_t(a)] > end[std::size_t(b)];
            return start[std::size_t(a)] < start[std::size_t(b)];
        });
        return f;
    };
    std::vector<Section> backwards;
    std::vector<Frame> stack;
    stack.push_back(frameOf(result.root));
    while (!stack.empty()) {
        Frame& f = stack.back();
        while (f.next < f.children.size() && end[std::size_t(f.children[f.next])] > f.cursor)
            ++f.next; // runs concurrently with a child already on the path
        if (f.next < f.children.size()) {
            const int c = f.children[f.next++];
            if (end[std::size_t(c)] < f.cursor)
                backwards.push_back({ f.span, end[std::size_t(c)], f.cursor });
            f.cursor = start[std::size_t(c)];
            stack.push_back(frameOf(c)); // invalidates f
            continue;
        }
        if (f.cursor > start[std::size_t(f.span)])
            backwards.push_back({ f.span, start[std::size_t(f.span)], f.cursor });
        stack.pop_back();
    }
    result.sections.assign(backwards.rbegin(), backwards.rend());

    std::vector<std::uint64_t> self(n, 0);
    for (const Section& s : result.sections) {
        self[std::size_t(s.span)] += s.durationNanos();
        result.totalNanos += s.durationNanos();
    }
    // Depth-first, root first, children in start order.
    todo.assign(1, result.root);
    while (!todo.empty()) {
        const int s = todo.back();
        todo.pop_back();
        if (self[std::size_t(s)] > 0 || s == result.root)
            result.steps.push_back({ s, self[std::size_t(s)] });
        const SpanIndexRange children = tree.children(s);
        for (auto it = children.rbegin(); it != children.rend(); ++it)
            if (in[std::size_t(*it)])
                todo.push_back(*it);
    }
    return result;
}

} // namespace CriticalPath
