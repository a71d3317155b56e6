package dev.ann.compiler.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ann.compiler.Compilation;
import dev.ann.compiler.Compiler;
import dev.ann.compiler.Workspace;
import dev.ann.compiler.ast.SourceFile;
import dev.ann.compiler.diag.Diagnostic;
import dev.ann.compiler.syntax.Parser;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.antlr.v4.runtime.Token;
import org.junit.jupiter.api.Test;

/**
 * 10,000 seeded mutations of the examples (token deletions, insertions,
 * replacements and swaps, truncations, random characters, duplicated lines) go
 * through parse and check: nothing throws, no input takes a second, and a file
 * that does not parse gets at least one error, every range inside its file.
 * Mutation i is made from its own seed, so a failure names the mutation that
 * reproduces it whatever the order the threads ran them in.
 */
class RobustnessTest {
    static final int MUTATIONS = 10_000;
    static final long SEED = 20261128L;
    /** Far above the few milliseconds a check takes, so that only a hang or a blow-up trips it. */
    static final long LIMIT_NANOS = 1_000_000_000L;
    static final String SPECIALS = "{}()[]\"\n,:=-";

    record Example(Path path, String text, List<Token> tokens) {}

    record Failure(int mutation, String what, String text) {}

    @Test
    void mutatedExamplesNeverBreakTheCompiler() throws IOException {
        List<Example> examples = new ArrayList<>();
        try (Stream<Path> s = Files.list(ExamplesTest.examples())) {
            for (Path p : s.filter(f -> f.toString().endsWith(".ann")).sorted().toList()) {
                String text = Files.readString(p);
                List<Token> tokens = new ArrayList<>();
                for (Token t : Parser.lex(new SourceFile(p, text), new ArrayList<>()).tokens().getTokens()) {
                    if (t.getType() != Token.EOF && t.getChannel() == Token.DEFAULT_CHANNEL) tokens.add(t);
                }
                examples.add(new Example(p, text, tokens));
            }
        }
        List<String> vocabulary = new ArrayList<>();
        for (Example e : examples) for (Token t : e.tokens()) vocabulary.add(t.getText());
        vocabulary.addAll(List.of("{", "}", "(", ")", "[", "]", "->", ",", ":", "=", "..", "\"", "/*", "//", "\n", "-", "%"));
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger unparsable = new AtomicInteger();
        AtomicLong slowest = new AtomicLong();
        AtomicInteger slowestIndex = new AtomicInteger(-1);
        // One workspace per thread, as an editor keeps one: imported files stay parsed between mutations.
        ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(Workspace::new);
        IntStream.range(0, MUTATIONS).parallel().forEach(i -> {
            Random random = new Random(SEED + i);
            Example e = examples.get(random.nextInt(examples.size()));
            String text = mutate(e, vocabulary, random);
            Workspace ws = workspaces.get();
            ws.open(e.path(), text);
            long start = cpu.getCurrentThreadCpuTime();     // CPU time: what the compiler spends, whatever else runs
            Compilation c;
            try {
                c = Compiler.compile(ws, e.path());
            } catch (RuntimeException | StackOverflowError ex) {
                failures.add(new Failure(i, "threw " + ex, text));
                return;
            }
            long took = cpu.getCurrentThreadCpuTime() - start;
            ws.close(e.path());
            if (took > slowest.get()) {
                slowest.set(took);
                slowestIndex.set(i);
            }
            for (Diagnostic d : c.diagnostics()) {
                int len = d.source().text().length();
                if (d.range().start() < 0 || d.range().end() > len || d.range().start() > d.range().end()) {
                    failures.add(new Failure(i, "range " + d.range() + " outside a text of " + len + ": " + d.message(), text));
                }
            }
            if (!c.file(e.path()).syntaxErrors().isEmpty()) {
                unparsable.incrementAndGet();
                if (c.diagnostics().stream().noneMatch(d -> d.isError() && d.source().path().equals(e.path()))) {
                    failures.add(new Failure(i, "does not parse but has no error", text));
                }
            }
        });
        if (!failures.isEmpty()) {
            Failure f = failures.peek();
            throw new AssertionError(failures.size() + " mutations failed; mutation " + f.mutation() + ": " + f.what()
                    + "\n--- its text ---\n" + f.text());
        }
        assertTrue(slowest.get() < LIMIT_NANOS, "mutation " + slowestIndex.get() + " took " + slowest.get() / 1_000_000 + " ms of CPU");
        assertTrue(unparsable.get() > MUTATIONS / 10, "the mutations should break the syntax often; only " + unparsable + " did");
        assertEquals(0, failures.size());
    }

    static String mutate(Example e, List<String> vocabulary, Random r) {
        String text = e.text();
        List<Token> tokens = e.tokens();
        int rounds = 1 + r.nextInt(3);
        for (int round = 0; round < rounds && !text.isEmpty(); round++) {
            // Later rounds use the original token positions, clamped to the text: good enough to mutate further.
            Token t = tokens.get(r.nextInt(tokens.size()));
            int start = Math.min(t.getStartIndex(), text.length());
            int end = Math.min(t.getStopIndex() + 1, text.length());
            switch (r.nextInt(7)) {
                case 0 -> text = text.substring(0, start) + text.substring(end);                          // delete a token
                case 1 -> text = text.substring(0, start) + vocabulary.get(r.nextInt(vocabulary.size())) + " "
                        + text.substring(start);                                                           // insert a token
                case 2 -> {                                                                                // swap two tokens
                    Token u = tokens.get(Math.min(tokens.size() - 1, tokens.indexOf(t) + 1 + r.nextInt(3)));
                    int us = Math.min(u.getStartIndex(), text.length());
                    int ue = Math.min(u.getStopIndex() + 1, text.length());
                    if (us >= end) {
                        text = text.substring(0, start) + text.substring(us, ue) + text.substring(end, us)
                                + text.substring(start, end) + text.substring(ue);
                    }
                }
                case 3 -> text = text.substring(0, r.nextInt(text.length() + 1));                          // truncate
                case 4 -> {                                                                                // random characters
                    StringBuilder sb = new StringBuilder(text);
                    int n = 1 + r.nextInt(4);
                    for (int k = 0; k < n; k++) {
                        int at = r.nextInt(sb.length() + 1);
                        char ch = switch (r.nextInt(4)) {
                            case 0 -> (char) r.nextInt(128);
                            case 1 -> (char) (0xD800 + r.nextInt(0x800));   // lone surrogates
                            case 2 -> (char) r.nextInt(0x3000);
                            default -> SPECIALS.charAt(r.nextInt(SPECIALS.length()));
                        };
                        if (r.nextBoolean() && at < sb.length()) sb.setCharAt(at, ch);
                        else sb.insert(at, ch);
                    }
                    text = sb.toString();
                }
                case 5 -> {                                                                                // duplicate a line
                    List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
                    int l = r.nextInt(lines.size());
                    lines.add(l, lines.get(l));
                    text = String.join("\n", lines);
                }
                default -> text = text.substring(0, start) + vocabulary.get(r.nextInt(vocabulary.size()))
                        + text.substring(end);                                                             // replace a token
            }
        }
        return text;
    }
}
