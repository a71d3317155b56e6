-- End-to-end test of the ann language server from a real editor: headless
-- Neovim opens an example, gets diagnostics after a breaking edit, completion
-- after `->` and a hover. Run by NeovimEndToEndTest; exits 0 on success,
-- 1 (cquit) with a FAIL line on stderr otherwise.
local function fail(msg)
  io.stderr:write('FAIL: ' .. msg .. '\n')
  vim.cmd('cquit 1')
end

local function say(msg)
  io.stdout:write(msg .. '\n')
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.ANN_FILE))
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].filetype = 'ann'
  local id = vim.lsp.start_client({
    name = 'ann',
    cmd = { vim.env.ANN_JAVA, '-cp', vim.env.ANN_SERVER_CP, 'dev.ann.lsp.ServerLauncher' },
    root_dir = vim.env.ANN_ROOT,
  })
  if not id then return fail('the server did not start') end
  vim.lsp.buf_attach_client(buf, id)
  if not vim.wait(20000, function()
    local c = vim.lsp.get_client_by_id(id)
    return c ~= nil and c.initialized
  end, 50) then return fail('the server did not initialize') end
  say('initialized')

  -- find the lines we work on
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local dense_line, train_line
  for i, l in ipairs(lines) do
    if l:match('^%s*dense%(1%) %-> sigmoid') and dense_line == nil and i > 1 and lines[i - 1]:match('hidden') then
      dense_line = i - 1
    end
    if l:match('^train XorNet on Xor') then train_line = i - 1 end
  end
  if not dense_line or not train_line then return fail('unexpected example text') end

  -- 1. a breaking edit: drop the ')' of dense(1)
  vim.api.nvim_buf_set_lines(buf, dense_line, dense_line + 1, false, { '    dense(1 -> sigmoid' })
  if not vim.wait(10000, function() return #vim.diagnostic.get(buf) > 0 end, 20) then
    return fail('no diagnostics after the breaking edit')
  end
  local found
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == 'E001' then found = d end
  end
  if not found then return fail('expected a syntax error E001, got ' .. vim.inspect(vim.diagnostic.get(buf))) end
  say('diagnostic: ' .. found.code .. ' ' .. found.message .. ' at line ' .. (found.lnum + 1))

  -- repair it; the diagnostics clear
  vim.api.nvim_buf_set_lines(buf, dense_line, dense_line + 1, false, { '    dense(1) -> sigmoid' })
  if not vim.wait(10000, function() return #vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.ERROR }) == 0 end, 20) then
    return fail('errors stay after the repair: ' .. vim.inspect(vim.diagnostic.get(buf)))
  end
  say('repaired')

  -- 2. completion after `->`
  vim.api.nvim_buf_set_lines(buf, dense_line, dense_line, false, { '    dense(2) -> ' })
  local params = { textDocument = vim.lsp.util.make_text_document_params(buf),
                   position = { line = dense_line, character = 16 } }
  local resp = vim.lsp.buf_request_sync(buf, 'textDocument/completion', params, 10000)
  local labels = {}
  for _, r in pairs(resp or {}) do
    if r.error then return fail('completion error: ' .. vim.inspect(r.error)) end
    local items = r.result and (r.result.items or r.result) or {}
    for _, it in ipairs(items) do labels[it.label] = true end
  end
  if not (labels['relu'] and labels['sigmoid'] and labels['softmax']) then
    return fail('completion after -> lacks activations: ' .. vim.inspect(vim.tbl_keys(labels)))
  end
  if labels['dense'] then return fail('completion after -> offers a layer kind (dense)') end
  say('completion: ' .. table.concat(vim.tbl_keys(labels), ' '))
  vim.api.nvim_buf_set_lines(buf, dense_line, dense_line + 1, false, {})

  -- 3. hover on the network name in the train block
  params = { textDocument = vim.lsp.util.make_text_document_params(buf),
             position = { line = train_line, character = 8 } }
  resp = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 10000)
  local text
  for _, r in pairs(resp or {}) do
    if r.result and r.result.contents then
      text = r.result.contents.value or vim.inspect(r.result.contents)
    end
  end
  if not text or not text:find('XorNet') or not text:find('parameters') then
    return fail('hover on XorNet: ' .. tostring(text))
  end
  say('hover: ' .. text:gsub('\n', ' | '))
  vim.lsp.stop_client(id)
end)
if not ok then fail('lua error: ' .. tostring(err)) end
vim.cmd('qall!')
