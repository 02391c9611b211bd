/* Every unit test, one line each; CMake reads the TEST_ENTRY lines to
 * register one ctest test per entry. */
#define TEST_LIST(TEST_ENTRY)                                                                      \
    TEST_ENTRY(host_instruction_limit)                                                             \
    TEST_ENTRY(host_limit_survives_pcall)                                                          \
    TEST_ENTRY(host_limit_counts_after_nested_run)                                                 \
    TEST_ENTRY(host_memory_limit)                                                                  \
    TEST_ENTRY(host_error_positions)                                                               \
    TEST_ENTRY(host_sandbox_holes)                                                                 \
    TEST_ENTRY(host_readonly_api)                                                                  \
    TEST_ENTRY(host_file_environments)                                                             \
    TEST_ENTRY(host_include)                                                                       \
    TEST_ENTRY(ljson_roundtrip_order)                                                              \
    TEST_ENTRY(ljson_refuses)                                                                      \
    TEST_ENTRY(ljson_ids)                                                                          \
    TEST_ENTRY(text_utf8)                                                                          \
    TEST_ENTRY(date_valid)                                                                         \
    TEST_ENTRY(files_empty_folder)                                                                 \
    TEST_ENTRY(plugin_no_plugins)                                                                  \
    TEST_ENTRY(api_routes)                                                                         \
    TEST_ENTRY(http_path_safe)                                                                     \
    TEST_ENTRY(reqlog_gathers_in_order)                                                            \
    TEST_ENTRY(render_heading_levels)                                                              \
    TEST_ENTRY(rules_load_shipped)                                                                 \
    TEST_ENTRY(rules_hash_identity)                                                                \
    TEST_ENTRY(rules_validation_reports_all)                                                       \
    TEST_ENTRY(rules_evaluate_reuses_state)                                                        \
    TEST_ENTRY(rules_bad_result)                                                                   \
    TEST_ENTRY(rules_decide_matches_evaluate)                                                      \
    TEST_ENTRY(rules_decide_checked)                                                               \
    TEST_ENTRY(evaluation_paths)                                                                   \
    TEST_ENTRY(store_migrates_and_keeps_rows)                                                      \
    TEST_ENTRY(store_chain_hash_form)                                                              \
    TEST_ENTRY(store_constraints_and_journal)                                                      \
    TEST_ENTRY(store_pending_role)                                                                 \
    TEST_ENTRY(store_answer_status_check)                                                          \
    TEST_ENTRY(store_snapshot_reads_then_writes_fresh)                                             \
    TEST_ENTRY(store_settings_move_with_what_servers_keep)                                         \
    TEST_ENTRY(auth_memo_trusts_its_settings_only)                                                 \
    TEST_ENTRY(commit_group_batches_and_isolates)                                                  \
    TEST_ENTRY(commit_group_submits_and_tells)                                                  \
    TEST_ENTRY(commit_group_checkpoints_beside_writes)                                             \
    TEST_ENTRY(policy_matrix)                                                                      \
    TEST_ENTRY(ruleset_store_and_tamper)                                                           \
    TEST_ENTRY(diff_finds_changes)                                                                 \
    TEST_ENTRY(document_audit_report_pdf)                                                          \
    TEST_ENTRY(document_certificate_pdf)                                                           \
    TEST_ENTRY(document_refuses_missing)
