// The .ann language, v1. See docs/language.md for the reference.
//
// Design notes
// - Statements end at a newline (or ';'). Newlines inside (...) and [...] are
//   not significant, so long argument lists may wrap freely; after a ',' or
//   '->' the parser skips newlines too.
// - Keywords are soft: `train`, `input`, `test`... are keywords where a
//   declaration or layer form starts, and plain identifiers everywhere else
//   (`split train 70%`, `train idx(...)`).
// - Settings in dataset, train and profile bodies share one generic form,
//   `name(args)? clause (, clause)*`, where a clause is a run of terms. The
//   compiler gives them meaning from its declarations, so the grammar stays
//   small and a half-typed setting still parses.
// - Comments go to the HIDDEN channel (not skipped) so that the formatter can
//   keep them; `///` doc comments go to their own channel and attach to the
//   next declaration.
grammar Ann;

@lexer::members {
    /** Depth of open (...) and [...]: newlines inside them are not statement ends. */
    private int nesting = 0;
}

file
    : (decl | NL | ';')* EOF
    ;

decl
    : importDecl
    | constDecl
    | blockDecl
    | networkDecl
    | datasetDecl
    | trainDecl
    | profileDecl
    ;

importDecl  : IMPORT STRING ;
constDecl   : CONST ident '=' expr ;
blockDecl   : BLOCK ident ('(' NL* params? ')')? NL* layerBody ;
params      : param (',' NL* param)* ','? NL* ;
param       : ident (':' ident)? ('=' expr)? ;
networkDecl : NETWORK ident NL* layerBody ;
datasetDecl : DATASET ident NL* settingsBody ;
trainDecl   : TRAIN (name=ident '=')? network=ident ON dataset=ident NL* settingsBody ;
profileDecl : PROFILE ident NL* settingsBody ;

// ---- networks ---------------------------------------------------------------

layerBody
    : '{' (layerStmt | NL | ';')* '}'
    ;

layerStmt
    : (ident '=')? layerExpr
    ;

layerExpr
    : INPUT expr                                             # inputLayer
    | PARALLEL ident? NL* '{' (branch | NL | ';')* '}'           # parallelLayer
    | RESIDUAL NL* layerBody                                     # residualLayer
    | call ('->' NL* call)*                                  # callLayer
    ;

branch
    : BRANCH NL* layerBody
    ;

call
    : ident ('(' args? ')')?
    ;

args
    : arg (',' arg)* ','?
    ;

arg
    : (ident ':')? expr
    ;

// ---- datasets, train blocks, profiles --------------------------------------

settingsBody
    : '{' (setting | NL | ';')* '}'
    ;

setting
    : ident ('(' args? ')')? clause? (',' NL* clause)*
    ;

clause
    : term+
    ;

term
    : expr
    ;

// ---- expressions -------------------------------------------------------------

expr
    : '-' expr                                   # negate
    | expr op=('*' | '/') expr                   # mulDiv
    | expr op=('+' | '-') expr                   # addSub
    | expr '..' expr                             # range
    | primary                                    # atom
    ;

primary
    : INT                                        # intLit
    | FLOAT                                      # floatLit
    | PERCENT                                    # percentLit
    | STRING                                     # stringLit
    | (TRUE | FALSE)                             # boolLit
    | '[' (expr (',' expr)* ','?)? ']'           # listLit
    | call                                       # callOrName
    | '(' expr ')'                               # parens
    ;

ident
    : IDENT
    | IMPORT | CONST | BLOCK | NETWORK | DATASET | TRAIN | ON | PROFILE
    | INPUT | PARALLEL | RESIDUAL | BRANCH
    ;

// ---- lexer -------------------------------------------------------------------

IMPORT   : 'import' ;
CONST    : 'const' ;
BLOCK    : 'block' ;
NETWORK  : 'network' ;
DATASET  : 'dataset' ;
TRAIN    : 'train' ;
ON       : 'on' ;
PROFILE  : 'profile' ;
INPUT    : 'input' ;
PARALLEL : 'parallel' ;
RESIDUAL : 'residual' ;
BRANCH   : 'branch' ;
TRUE     : 'true' ;
FALSE    : 'false' ;

LPAREN   : '(' { nesting++; } ;
RPAREN   : ')' { if (nesting > 0) nesting--; } ;
LBRACK   : '[' { nesting++; } ;
RBRACK   : ']' { if (nesting > 0) nesting--; } ;
LBRACE   : '{' { nesting = 0; } ;   // braces never nest inside (...) or [...]: recover from an unclosed one
RBRACE   : '}' { nesting = 0; } ;
ARROW    : '->' ;
DOTDOT   : '..' ;
COMMA    : ',' ;
COLON    : ':' ;
SEMI     : ';' ;
ASSIGN   : '=' ;
PLUS     : '+' ;
MINUS    : '-' ;
STAR     : '*' ;
SLASH    : '/' ;

PERCENT  : DIGITS ('.' DIGITS)? '%' ;
FLOAT    : DIGITS '.' DIGITS EXPONENT? | DIGITS EXPONENT ;
INT      : DIGITS ;
STRING   : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;
IDENT    : [a-zA-Z_] [a-zA-Z_0-9]* ;

DOC_COMMENT   : '///' ~[\r\n]* -> channel(2) ;
LINE_COMMENT  : '//' ~[\r\n]* -> channel(HIDDEN) ;
BLOCK_COMMENT : '/*' .*? ('*/' | EOF) -> channel(HIDDEN) ;

NL       : ('\r'? '\n' | '\r') { if (nesting > 0) setChannel(HIDDEN); } ;
WS       : [ \t\f]+ -> channel(HIDDEN) ;

// An unterminated string is one token with an error, not a cascade.
UNTERMINATED_STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* ;
ERROR_CHAR : . ;

fragment DIGITS   : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;
