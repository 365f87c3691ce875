// The permission parser: what counts as one command, what is inside substitutions, and what is refused.
import {describe, expect, it} from 'vitest'

import {endsWithBackgroundOperator, parseShellCommand} from './shell-parse.js'

function words(source: string): string[] {
  const parsed = parseShellCommand(source)
  if (!parsed.ok) throw new Error(`unexpected failure: ${parsed.reason}`)
  return parsed.commands.map((c) => c.words.join(' '))
}

function failure(source: string): string {
  const parsed = parseShellCommand(source)
  if (parsed.ok) throw new Error(`expected failure, got ${JSON.stringify(parsed.commands.map((c) => c.words))}`)
  return parsed.reason
}

describe('splitting', () => {
  it.each([
    ['git status', ['git status']],
    ['git status && rm -rf x', ['git status', 'rm -rf x']],
    ['a || b ; c', ['a', 'b', 'c']],
    ['a | b |& c', ['a', 'b', 'c']],
    ['a & b', ['a', 'b']],
    ['a\nb\n\nc', ['a', 'b', 'c']],
    ['a;b&&c||d|e', ['a', 'b', 'c', 'd', 'e']],
    ['echo "a && b"', ['echo a && b']],
    ["echo 'a; b | c'", ['echo a; b | c']],
    ['echo a\\;b', ['echo a;b']],
    ["echo $'it\\'s' && x", ["echo it's", 'x']],
    ['git   log   --oneline', ['git log --oneline']],
    ['ls \\\n  -l', ['ls -l']],
    ['# only a comment', []],
    ['ls # trailing && rm -rf /', ['ls']],
    ['echo a#b', ['echo a#b']],
  ])('%j -> %j', (source, expected) => {
    expect(words(source)).toEqual(expected)
  })

  it('keeps each command text for messages', () => {
    const parsed = parseShellCommand('git status &&   rm -rf x ')
    expect(parsed.ok && parsed.commands.map((c) => c.text)).toEqual(['git status', 'rm -rf x'])
  })
})

describe('normalising words', () => {
  it.each([
    ['FOO=1 BAR=2 git push', ['git push']],
    ['git status > out.txt 2>&1', ['git status']],
    ['> out.txt git push', ['git push']],
    ['cat < in.txt >> out.txt', ['cat']],
    ['ls &> /dev/null', ['ls']],
    ['cat <<< "hello && rm"', ['cat']],
    ['if git diff --quiet; then echo clean; else echo dirty; fi', ['git diff --quiet', 'echo clean', 'echo dirty']],
    ['while true; do sleep 1; done', ['true', 'sleep 1']],
    ['for f in a b; do rm $f; done', ['rm $f']],
    ['{ rm -rf /; }', ['rm -rf /']],
    ['! grep -q x f', ['grep -q x f']],
    ['(cd src && npm test)', ['cd src', 'npm test']],
    ['(git push) > log', ['git push']],
  ])('%j -> %j', (source, expected) => {
    expect(words(source)).toEqual(expected)
  })
})

describe('substitutions are commands too', () => {
  it.each([
    ['echo $(rm -rf /)', ['rm -rf /', 'echo $(...)']],
    ['echo "$(git push)"', ['git push', 'echo $(...)']],
    ['echo `rm x`', ['rm x', 'echo `...`']],
    ['echo "`rm x`"', ['rm x', 'echo `...`']],
    ['diff <(ls a) >(tee b)', ['ls a', 'tee b', 'diff <(...) <(...)']],
    ['echo $(echo $(rm deep))', ['rm deep', 'echo $(...)', 'echo $(...)']],
    ['echo $(cat <<EOF\nrm inside\nEOF\n)', ['cat', 'echo $(...)']],
    ['x=$(git push) ls', ['git push', 'ls']],
    ['echo $((1 + 2))', ['echo $((...))']],
  ])('%j -> %j', (source, expected) => {
    expect(words(source)).toEqual(expected)
  })

  it('marks words whose value is known only at run time', () => {
    const parsed = parseShellCommand('$CMD "$X" lit ${Y} *.ts "*.ts"')
    expect(parsed.ok && parsed.commands[0]!.dynamic).toEqual([true, true, false, true, true, false])
  })
})

describe('here-documents', () => {
  it('treats the body as data', () => {
    expect(words('cat <<EOF > f.txt\nhello && rm -rf /\nEOF\necho done')).toEqual(['cat', 'echo done'])
  })

  it('supports <<- and quoted delimiters', () => {
    expect(words("cat <<-'END'\n\t$(not run)\n\tEND\nls")).toEqual(['cat', 'ls'])
  })

  it('checks substitutions inside an unquoted body', () => {
    expect(words('cat <<EOF\nvalue: $(rm -rf /)\nEOF')).toEqual(['cat', 'rm -rf /'])
  })
})

describe('refused', () => {
  it.each([
    ['echo "unterminated', /unterminated " quote/],
    ["echo 'unterminated", /unterminated ' quote/],
    ['echo $(ls', /unterminated/],
    ['echo `ls', /unterminated backtick/],
    ['ls )', /unbalanced/],
    ['case x in a) rm;; esac', /case|unbalanced/],
    ['case x in\n a) rm ;;\nesac', /case|unbalanced/],
    ['f() { rm -rf /; }; f', /function definitions/],
    ['function f { rm; }', /function/],
    ['(( i++ ))', /arithmetic/],
    ['echo ${X:-$(rm)}', /inside \$\{/],
    ['echo >', /redirection without a target/],
    ['echo $(( $(rm) ))', /arithmetic/],
  ])('%j', (source, reason) => {
    expect(failure(source)).toMatch(reason)
  })

  it('refuses absurd nesting instead of overflowing the stack', () => {
    expect(failure('echo ' + '$('.repeat(100) + ')'.repeat(100))).toMatch(/too deeply/)
  })
})

describe('background', () => {
  it.each([
    ['npm run dev &', true],
    ['npm run dev &  \n', true],
    ['a && b', false],
    ['a & b', false],
    ['echo "&"', false],
    ['echo \\&', false],
    ['sleep 1 & # comment', true],
    ['echo "unterminated &', true],
  ])('%j -> %s', (source, expected) => {
    expect(endsWithBackgroundOperator(source)).toBe(expected)
  })
})

describe('redirections and assignments', () => {
  it('keeps each command its redirections (with the descriptor) and its NAME=value prefixes', () => {
    const parsed = parseShellCommand('A=1 B="x y" git log 2>&1 > out.txt <<< in; cat <<EOF\nbody\nEOF')
    expect(parsed.ok && parsed.commands.map((c) => [c.assignments, c.redirections])).toEqual([
      [
        ['A=1', 'B=x y'],
        [
          {op: '2>&', target: '1', dynamic: false},
          {op: '>', target: 'out.txt', dynamic: false},
          {op: '<<<', target: 'in', dynamic: false},
        ],
      ],
      [[], [{op: '<<', target: 'EOF', dynamic: false}]],
    ])
  })

  it('reports redirections that belong to no simple command', () => {
    const parsed = parseShellCommand('ls; > a; (ls) > $B; { ls; } &> c')
    expect(parsed.ok && parsed.looseRedirections).toEqual([
      {op: '>', target: 'a', dynamic: false},
      {op: '>', target: '$B', dynamic: true},
      {op: '&>', target: 'c', dynamic: false},
    ])
  })
})
