package dev.ann.compiler.ast;

import java.util.List;

/**
 * One line of a dataset, train or profile body: {@code name(args)? clause (, clause)*}
 * where a clause is a run of terms. Examples: {@code epochs 12} (clause [12]),
 * {@code shuffle(seed: 1)} (call args), {@code split train 70%, test 30%}
 * (clauses [train 70%] and [test 30%]), {@code checkpoint "dir" every 1, keep best(val_loss)}.
 *
 * @param call the setting's name and its parenthesised arguments, if any
 */
public record Setting(Call call, List<Clause> clauses, Range range) {

    public Setting {
        clauses = List.copyOf(clauses);
    }

    public Ident name() {
        return call.callee();
    }

    /** A run of terms between commas. */
    public record Clause(List<Expr> terms, Range range) {
        public Clause {
            terms = List.copyOf(terms);
        }
    }
}
